package eu.trustcircle.keycloak.consistency;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/** Registers {@link ResumeFirstSignIn} under {@value ConsistencyIds#RESUME_FIRST_SIGN_IN}. */
public class ResumeFirstSignInFactory implements AuthenticatorFactory {

    private static final ResumeFirstSignIn SINGLETON = new ResumeFirstSignIn();
    private static final Requirement[] REQUIREMENT_CHOICES = {Requirement.ALTERNATIVE, Requirement.DISABLED};

    @Override
    public String getId() {
        return ConsistencyIds.RESUME_FIRST_SIGN_IN;
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
        // Nothing to prepare.
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: resume an unfinished first sign-in";
    }

    @Override
    public String getHelpText() {
        return "After 'Create User If Unique' (both ALTERNATIVE) in a first-broker-login flow: an existing account "
                + "that only an unfinished first sign-in of this identity provider's agent can have made (the same "
                + "username, no link, no credential, no group) is taken over; any other is refused.";
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
