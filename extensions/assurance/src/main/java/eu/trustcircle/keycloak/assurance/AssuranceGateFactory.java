package eu.trustcircle.keycloak.assurance;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/**
 * Registers {@link AssuranceGate} for a provider's browser flow (after its session cookie: steps up)
 * and, in {@link AfterBroker}, for its post-broker flow (refuses).
 */
public class AssuranceGateFactory implements AuthenticatorFactory {

    /** Provider id for the browser flow. */
    public static final String PROVIDER_ID = "trustcircle-assurance-gate";
    private static final Requirement[] REQUIREMENT_CHOICES = {Requirement.REQUIRED, Requirement.DISABLED};

    /** The post-broker flow: the organisation's answer is in; a lower level is refused. */
    public static class AfterBroker extends AssuranceGateFactory {
        /** Provider id for the post-broker flow. */
        public static final String PROVIDER_ID = "trustcircle-assurance-gate-broker";

        @Override
        public String getId() {
            return PROVIDER_ID;
        }

        @Override
        public Authenticator create(KeycloakSession session) {
            return new AssuranceGate(true);
        }

        @Override
        public String getDisplayType() {
            return super.getDisplayType() + " (after brokering)";
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new AssuranceGate(false);
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: assurance gate";
    }

    @Override
    public String getHelpText() {
        return "The level of assurance the agent's organisation asserted must reach the e-service's.";
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

    @Override
    public void init(Config.Scope config) {
        // no options
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // nothing to prepare
    }

    @Override
    public void close() {
        // nothing held
    }
}
