package eu.trustcircle.keycloak.temporarypassword;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

/**
 * Registers {@link TemporaryPasswordExpiry} for browser flows ({@link #PROVIDER_ID}) and, in its
 * subclass, for direct-grant flows; listed in
 * {@code META-INF/services/org.keycloak.authentication.AuthenticatorFactory}.
 */
public class TemporaryPasswordExpiryFactory implements AuthenticatorFactory {

    /** Provider id for browser flows. */
    public static final String PROVIDER_ID = "trustcircle-temp-password-expiry";
    private static final Requirement[] REQUIREMENT_CHOICES = {Requirement.REQUIRED, Requirement.DISABLED};

    /** Direct-grant flows: the refusal is an OAuth 2.0 error, not a page. */
    public static class DirectGrant extends TemporaryPasswordExpiryFactory {
        /** Provider id for direct-grant flows. */
        public static final String PROVIDER_ID = "trustcircle-temp-password-expiry-dg";

        @Override
        public String getId() {
            return PROVIDER_ID;
        }

        @Override
        public Authenticator create(KeycloakSession session) {
            return new TemporaryPasswordExpiry(true);
        }

        @Override
        public String getDisplayType() {
            return super.getDisplayType() + " (direct grant)";
        }
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return new TemporaryPasswordExpiry(false);
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: temporary password expiry";
    }

    @Override
    public String getHelpText() {
        return "After the password: refuses a temporary password (set by an administrator, still to be changed) "
                + "older than the configured number of hours.";
    }

    @Override
    public String getReferenceCategory() {
        return null;
    }

    @Override
    public boolean isConfigurable() {
        return true;
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
        return ProviderConfigurationBuilder.create()
                .property().name(TemporaryPassword.VALIDITY_HOURS).label("Validity (hours)")
                .helpText("Hours a temporary password stays valid.").type(ProviderConfigProperty.STRING_TYPE)
                .defaultValue(Integer.toString(TemporaryPassword.DEFAULT_VALIDITY_HOURS)).add()
                .build();
    }

    @Override
    public void init(Config.Scope config) {
        // no server options
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
