package eu.trustcircle.keycloak.temporarypassword;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Registers {@link TemporaryPasswordMarker}; listed in a realm's {@code eventsListeners} by provisioning. */
public class TemporaryPasswordMarkerFactory implements EventListenerProviderFactory {

    /** Provider id, as listed in a realm's {@code eventsListeners}. */
    public static final String PROVIDER_ID = "trustcircle-temporary-password";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new TemporaryPasswordMarker(session);
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
        return PROVIDER_ID;
    }
}
