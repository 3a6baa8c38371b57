package eu.trustcircle.keycloak.consistency;

import java.util.Set;

import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * In an organisation's realm: when a root account changes (an administrator edits, disables or
 * archives it; the agent changes their profile or e-mail; a permanent lockout disables it), its
 * access accounts at the providers follow once the change is committed, in a transaction of their
 * own (a failure there never undoes the change at home; the scheduled {@code trustcircle
 * consistency sync} catches up). Deletions are seen by the factory (before the account goes).
 */
public class ConsistencyListenerProvider implements EventListenerProvider {

    private static final Set<EventType> SELF_SERVICE = Set.of(EventType.UPDATE_PROFILE, EventType.UPDATE_EMAIL,
            EventType.VERIFY_EMAIL, EventType.USER_DISABLED_BY_PERMANENT_LOCKOUT);
    private static final String USERS = "users/";

    private final KeycloakSession session;

    public ConsistencyListenerProvider(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        if (event.getType() == null || !SELF_SERVICE.contains(event.getType()) || event.getUserId() == null) {
            return;
        }
        AuthDetails cause = new AuthDetails();
        cause.setRealmId(event.getRealmId());
        cause.setUserId(event.getUserId());
        cause.setClientId(event.getClientId());
        cause.setIpAddress(event.getIpAddress());
        Propagation.afterCommit(session, event.getRealmId(), event.getUserId(), cause);
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        String path = event.getResourcePath();
        if (event.getResourceType() != ResourceType.USER || path == null || !path.startsWith(USERS)
                || event.getError() != null
                || (event.getOperationType() != OperationType.UPDATE && event.getOperationType() != OperationType.ACTION)) {
            return;
        }
        String userId = path.substring(USERS.length()).split("/", 2)[0];
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        if (realm != null && realm.getAttribute(ConsistencyIds.ORGANISATION) != null) {
            Propagation.afterCommit(session, event.getRealmId(), userId, event.getAuthDetails());
        }
    }

    @Override
    public void close() {
        // nothing held
    }
}
