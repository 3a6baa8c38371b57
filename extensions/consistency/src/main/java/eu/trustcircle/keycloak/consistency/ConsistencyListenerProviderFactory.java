package eu.trustcircle.keycloak.consistency;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.UserModel;

/**
 * Access accounts follow their root account ({@link ConsistencyListenerProvider}); a root account
 * about to be deleted leaves its NameIDs behind, so its access accounts are disabled once the
 * deletion is committed.
 */
public class ConsistencyListenerProviderFactory implements EventListenerProviderFactory {

    /** Provider id, as listed in a realm's {@code eventsListeners}. */
    public static final String PROVIDER_ID = "trustcircle-consistency";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new ConsistencyListenerProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
        // no options: what flows from home is each identity provider's configuration
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(event -> {
            if (event instanceof UserModel.UserPreRemovedEvent removed
                    && removed.getRealm().getAttribute(ConsistencyIds.ORGANISATION) != null) {
                var nameIds = AccessAccounts.nameIds(removed.getUser());
                if (!nameIds.isEmpty()) {
                    Propagation.afterDeletion(removed.getKeycloakSession(), removed.getRealm().getId(), nameIds);
                }
            }
        });
    }

    @Override
    public void close() {
        // nothing held
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
