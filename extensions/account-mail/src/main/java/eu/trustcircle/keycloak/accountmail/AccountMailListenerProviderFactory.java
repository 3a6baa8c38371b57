package eu.trustcircle.keycloak.accountmail;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/** Mails a new account's identifier on its own (see {@link AccountMailListenerProvider}). */
public class AccountMailListenerProviderFactory implements EventListenerProviderFactory {

    /** Provider id, as listed in a realm's {@code eventsListeners}. */
    public static final String PROVIDER_ID = "trustcircle-account-mail";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new AccountMailListenerProvider(session);
    }

    @Override
    public void init(Config.Scope config) {
        // no options: the realm's own SMTP settings are used
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
