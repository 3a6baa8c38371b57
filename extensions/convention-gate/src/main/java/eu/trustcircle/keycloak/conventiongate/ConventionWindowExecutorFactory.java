package eu.trustcircle.keycloak.conventiongate;

import java.util.List;

import org.keycloak.Config;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProviderFactory;

/** Registers {@link ConventionWindowExecutor} (listed in META-INF/services). */
public class ConventionWindowExecutorFactory implements ClientPolicyExecutorProviderFactory {

    @Override
    public ClientPolicyExecutorProvider<?> create(KeycloakSession session) {
        return new ConventionWindowExecutor(session);
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
    public String getId() {
        return ConventionWindowExecutor.PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "Tokens for a partner's application only while its convention is in force.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return List.of();
    }
}
