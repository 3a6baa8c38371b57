package eu.trustcircle.keycloak.audit;

import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.AccessToken;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * Keycloak records no event when it refuses an admin request (403): this filter does. Each refused
 * call under {@code /admin/realms/<realm>/} becomes an admin event with error {@code forbidden},
 * the caller (realm, user id, client, address), the method and the path, handed to the target
 * realm's event listeners (so the audit trail has it) in a transaction of its own (the request's is
 * rolled back), and a WARN line in category {@code trustcircle.audit.forbidden}.
 *
 * <p>A JAX-RS filter is not one of Keycloak's SPIs: the server picks it up from the provider jar at
 * {@code kc.sh build}. {@code conformance/test_administrators.py} proves it on every pinned version.
 */
@Provider
public class ForbiddenAdminRequestFilter implements ContainerResponseFilter {

    static final String RESOURCE_TYPE = "FORBIDDEN_ADMIN_REQUEST";
    static final String ERROR = "forbidden";
    private static final Logger LOG = Logger.getLogger("trustcircle.audit.forbidden");
    private static final Pattern ADMIN_PATH = Pattern.compile("^/?admin/realms/([^/]+)(?:/(.*))?$");

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() != 403) {
            return;
        }
        Matcher path = ADMIN_PATH.matcher(request.getUriInfo().getPath());
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (!path.matches() || session == null) {
            return;
        }
        String realmName = path.group(1);
        String resource = path.group(2) == null ? "" : path.group(2);
        AuthDetails caller = caller(session);
        LOG.warnf("admin request refused (403): %s %s of realm %s by user %s of realm %s (client %s, %s)",
                request.getMethod(), resource, realmName, caller.getUserId(), caller.getRealmName(),
                caller.getClientId(), caller.getIpAddress());
        AdminEvent event = event(request.getMethod(), resource, caller);
        KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
            RealmModel realm = s.realms().getRealmByName(realmName);
            if (realm == null) {
                return;
            }
            event.setRealmId(realm.getId());
            event.setRealmName(realm.getName());
            RealmModel callerRealm = caller.getRealmName() == null ? null : s.realms().getRealmByName(caller.getRealmName());
            caller.setRealmId(callerRealm == null ? caller.getRealmName() : callerRealm.getId());
            realm.getEventsListenersStream().forEach(id -> {
                EventListenerProvider listener = s.getProvider(EventListenerProvider.class, id);
                if (listener != null) {
                    listener.onEvent(event, false);
                }
            });
        });
    }

    private static AuthDetails caller(KeycloakSession session) {
        AuthDetails details = new AuthDetails();
        if (session.getContext().getBearerToken() instanceof AccessToken token) {
            String issuer = token.getIssuer();
            details.setRealmName(issuer == null ? null : issuer.substring(issuer.lastIndexOf('/') + 1));
            details.setUserId(token.getSubject() != null ? token.getSubject() : sessionUser(session, details, token));
            details.setClientId(token.getIssuedFor());
        }
        if (session.getContext().getConnection() != null) {
            details.setIpAddress(session.getContext().getConnection().getRemoteAddr());
        }
        return details;
    }

    /** The caller's user id from their session, for a token that leaves out "sub"; null if unknown. */
    private static String sessionUser(KeycloakSession session, AuthDetails details, AccessToken token) {
        RealmModel realm = details.getRealmName() == null ? null : session.realms().getRealmByName(details.getRealmName());
        UserSessionModel userSession = realm == null || token.getSessionId() == null ? null
                : session.sessions().getUserSession(realm, token.getSessionId());
        return userSession == null ? null : userSession.getUser().getId();
    }

    static AdminEvent event(String method, String resourcePath, AuthDetails caller) {
        AdminEvent event = new AdminEvent();
        event.setId(UUID.randomUUID().toString());
        event.setTime(System.currentTimeMillis());
        event.setOperationType(switch (method) {
            case "POST" -> OperationType.CREATE;
            case "PUT" -> OperationType.UPDATE;
            case "DELETE" -> OperationType.DELETE;
            default -> OperationType.ACTION;
        });
        event.setResourceTypeAsString(RESOURCE_TYPE);
        event.setResourcePath(resourcePath);
        event.setError(ERROR);
        event.setDetails(Map.of("method", method, "status", "403"));
        event.setAuthDetails(caller);
        return event;
    }
}
