package eu.trustcircle.keycloak.conventiongate;

import java.util.List;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Registers {@link ConventionGateAuthenticator} under {@link TrustcircleIds#PROVIDER_ID}
 * (listed in {@code META-INF/services/org.keycloak.authentication.AuthenticatorFactory}).
 */
public class ConventionGateAuthenticatorFactory implements AuthenticatorFactory {

    private static final Logger LOG = Logger.getLogger(ConventionGateAuthenticatorFactory.class);
    private static final ConventionGateAuthenticator SINGLETON = new ConventionGateAuthenticator();
    private static final Requirement[] REQUIREMENT_CHOICES = {Requirement.REQUIRED, Requirement.DISABLED};

    @Override
    public String getId() {
        return TrustcircleIds.PROVIDER_ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return SINGLETON;
    }

    @Override
    public void init(Config.Scope config) {
        // No configuration.
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        LOG.infof("trustcircle convention gate %s loaded", version());
    }

    /** @return the jar manifest's Implementation-Version, or {@code unknown} outside a jar */
    static String version() {
        String version = ConventionGateAuthenticatorFactory.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: convention gate";
    }

    @Override
    public String getHelpText() {
        return "Denies access to a client carrying the attribute " + TrustcircleIds.CLIENT_SERVICE
                + " unless the user belongs (directly or through a subgroup) to a group with a verified "
                + "convention for that service, valid now. Clients without the attribute are not gated.";
    }

    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return false;
    }

    @Override
    public Requirement[] getRequirementChoices() {
        return REQUIREMENT_CHOICES.clone();
    }

    @Override
    public boolean isUserSetupAllowed() {
        return false;
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
