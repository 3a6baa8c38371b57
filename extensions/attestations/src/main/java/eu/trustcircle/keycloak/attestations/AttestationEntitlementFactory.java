package eu.trustcircle.keycloak.attestations;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.authentication.Authenticator;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;

/** Registers {@link AttestationEntitlement}. */
public class AttestationEntitlementFactory implements AuthenticatorFactory {

    private static final AttestationEntitlement SINGLETON = new AttestationEntitlement();

    @Override
    public String getId() {
        return AttestationEntitlement.PROVIDER_ID;
    }

    @Override
    public Authenticator create(KeycloakSession session) {
        return SINGLETON;
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

    @Override
    public String getDisplayType() {
        return "trustcircle: attestation entitlement";
    }

    @Override
    public String getHelpText() {
        return "At a wallet's sign-in: the agent is entitled to the habilitation attestations their conventions grant now.";
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
        return new Requirement[] {Requirement.REQUIRED, Requirement.DISABLED};
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
