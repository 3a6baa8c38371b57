package eu.trustcircle.keycloak.temporarypassword;

import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Marks a password an administrator sets as temporary (see {@link TemporaryPassword}): on the admin
 * events "user created" and "password reset", if the user's password must be changed at the next
 * login, that password is recorded on the user, in the same transaction. Any other password
 * clears nothing and needs nothing: the mark names one password only.
 */
public class TemporaryPasswordMarker implements EventListenerProvider {

    private static final String USERS = "users/";
    private static final String RESET = "/reset-password";

    private final KeycloakSession session;

    public TemporaryPasswordMarker(KeycloakSession session) {
        this.session = session;
    }

    /** The id of the user a user-created or password-reset admin event is about, or null. */
    static String userOf(AdminEvent event) {
        String path = event.getResourcePath();
        if (event.getResourceType() != ResourceType.USER || path == null || !path.startsWith(USERS)
                || event.getError() != null) {
            return null;
        }
        String rest = path.substring(USERS.length());
        if (event.getOperationType() == OperationType.CREATE && !rest.contains("/")) {
            return rest;
        }
        if (event.getOperationType() == OperationType.ACTION && rest.endsWith(RESET)
                && rest.indexOf('/') == rest.length() - RESET.length()) {
            return rest.substring(0, rest.length() - RESET.length());
        }
        return null;
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        String userId = userOf(event);
        RealmModel realm = userId == null ? null : session.realms().getRealm(event.getRealmId());
        UserModel user = realm == null ? null : session.users().getUserById(realm, userId);
        if (user == null) {
            return;
        }
        TemporaryPassword.currentPassword(user).ifPresent(password -> {
            if (user.getRequiredActionsStream().anyMatch(UserModel.RequiredAction.UPDATE_PASSWORD.name()::equals)) {
                user.setSingleAttribute(TemporaryPassword.ATTRIBUTE, TemporaryPassword.mark(password));
            }
        });
    }

    @Override
    public void onEvent(Event event) {
        // sign-in events: nothing to mark
    }

    @Override
    public void close() {
        // nothing held
    }
}
