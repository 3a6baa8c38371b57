package eu.trustcircle.keycloak.audit;

import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Writes every user and admin event of the realms that list it, with its correlation. */
public class AuditEventListenerProvider implements EventListenerProvider {

    private final KeycloakSession session;
    private final AuditSink sink;

    AuditEventListenerProvider(KeycloakSession session, AuditSink sink) {
        this.session = session;
        this.sink = sink;
    }

    @Override
    public void onEvent(Event event) {
        RealmModel realm = event.getRealmId() == null ? null : session.realms().getRealm(event.getRealmId());
        Correlation correlation = Correlation.of(session, realm, event);
        sink.write(AuditRecord.user(event.getTime(), realm == null ? event.getRealmId() : realm.getName(),
                String.valueOf(event.getType()), event.getClientId(), event.getUserId(), event.getSessionId(),
                event.getIpAddress(), event.getError(), event.getDetails(), correlation).toJson());
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        RealmModel realm = event.getRealmId() == null ? null : session.realms().getRealm(event.getRealmId());
        var auth = event.getAuthDetails();
        RealmModel authRealm = auth == null || auth.getRealmId() == null ? null
                : session.realms().getRealm(auth.getRealmId());
        sink.write(AuditRecord.admin(event.getTime(), realm == null ? event.getRealmId() : realm.getName(),
                String.valueOf(event.getOperationType()), event.getResourceTypeAsString(),
                event.getResourcePath(), authRealm == null ? null : authRealm.getName(),
                auth == null ? null : auth.getUserId(), auth == null ? null : auth.getClientId(),
                auth == null ? null : auth.getIpAddress(), event.getError(), event.getDetails()).toJson());
    }

    @Override
    public void close() {
        // The sink is the factory's.
    }
}
