package eu.trustcircle.keycloak.delegation;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager.AuthResult;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * A habilitation manager puts agents in, or takes them out of, groups — and does nothing else.
 *
 * <p>Keycloak's fine-grained admin permissions (v2) give them, together with the administrators,
 * the rights on the agents' accounts: Keycloak 26.5 evaluates every permission on "all users"
 * unanimously, so a permission held by administrators alone would also refuse the habilitation
 * managers their membership changes. This filter takes back what the permission gives too much:
 * an admin request by someone in the habilitation managers group (and not in the administrators
 * group) of the realm that issued their token, other than a read or a change of group membership,
 * is answered 403 before it reaches Keycloak. Which groups they may grant stays Keycloak's own
 * permission. The refusal goes to the audit trail like any other 403 (the audit listener's filter
 * sees the caller, set here).
 *
 * <p>A JAX-RS filter is not one of Keycloak's SPIs: the server picks it up from the provider jar at
 * {@code kc.sh build}. {@code conformance/test_administrators.py} proves it on the pinned version.
 */
@Provider
public class HabilitationManagerScope implements ContainerRequestFilter {

    /** Group of an organisation realm's administrators (see trustcircle/ids.py). */
    public static final String ADMINISTRATORS_GROUP = "trustcircle-administrators";
    /** Group of an organisation realm's habilitation managers (see trustcircle/ids.py). */
    public static final String HABILITATION_MANAGERS_GROUP = "trustcircle-habilitation-managers";

    private static final Logger LOG = Logger.getLogger("trustcircle.delegation");
    private static final Pattern ADMIN_PATH = Pattern.compile("^/?admin/realms/([^/]+)(?:/(.*))?$");
    private static final Pattern MEMBERSHIP = Pattern.compile("^users/[^/]+/groups/[^/]+/?$");

    /** What a habilitation manager may ask of the admin API: reads, and one membership at a time. */
    static boolean allowed(String method, String resource) {
        return switch (method) {
            case "GET", "HEAD", "OPTIONS" -> true;
            case "PUT", "DELETE" -> MEMBERSHIP.matcher(resource).matches();
            default -> false;
        };
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Matcher path = ADMIN_PATH.matcher(request.getUriInfo().getPath());
        if (!path.matches() || allowed(request.getMethod(), path.group(2) == null ? "" : path.group(2))) {
            return;
        }
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (session == null) {  // closed: without the session nothing can be checked (a Keycloak change)
            LOG.errorf("no Keycloak session in the request filter: %s %s refused", request.getMethod(),
                    request.getUriInfo().getPath());
            request.abortWith(Response.status(Response.Status.SERVICE_UNAVAILABLE).build());
            return;
        }
        String token = tokenOf(request.getHeaderString("Authorization"));
        AccessToken claims = token == null ? null : parse(token);
        RealmModel realm = claims == null ? null : realmOf(session, claims.getIssuer());
        if (realm == null) {
            return;  // no token, or not one of this server's realms: Keycloak answers 401 itself
        }
        if (claims.getConfirmation() != null && claims.getConfirmation().getKeyThumbprint() != null) {
            // a DPoP-bound token: verifying it here would spend its proof before Keycloak checks it,
            // so the caller is looked up unverified (refusing can only take rights away)
            UserModel user = unverifiedUser(session, realm, claims);
            if (user != null && onlyHabilitationManager(user)) {
                refuse(request, user.getId(), realm.getName());
            }
            return;
        }
        AuthResult caller = authenticated(session, realm);
        if (caller == null || !onlyHabilitationManager(caller.user())) {
            return;  // not a habilitation manager: Keycloak decides, as for anyone
        }
        session.getContext().setBearerToken(caller.token());  // the audit listener's filter names the caller
        refuse(request, caller.user().getId(), realm.getName());
    }

    private static void refuse(ContainerRequestContext request, String userId, String realm) {
        LOG.warnf("habilitation manager %s of realm %s refused: %s %s", userId, realm, request.getMethod(),
                request.getUriInfo().getPath());
        request.abortWith(Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", "HTTP 403 Forbidden",
                        "error_description", "habilitation managers may only read and change group memberships"))
                .build());
    }

    /** The token of an {@code Authorization: Bearer …} or {@code DPoP …} header, else null. */
    static String tokenOf(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.trim().split("\\s+", 2);
        boolean known = parts.length == 2 && ("bearer".equalsIgnoreCase(parts[0]) || "dpop".equalsIgnoreCase(parts[0]));
        return known ? parts[1] : null;
    }

    private static AccessToken parse(String token) {
        try {
            return new JWSInput(token).readJsonContent(AccessToken.class);
        } catch (JWSInputException e) {
            return null;  // Keycloak answers 401 itself
        }
    }

    /** The realm that issued a token (its name URL-decoded, as Keycloak's admin root reads it). */
    private static RealmModel realmOf(KeycloakSession session, String issuer) {
        if (issuer == null) {
            return null;
        }
        String name = URLDecoder.decode(issuer.substring(issuer.lastIndexOf('/') + 1).replace("+", "%2B"),
                StandardCharsets.UTF_8);
        return session.realms().getRealmByName(name);
    }

    private static UserModel unverifiedUser(KeycloakSession session, RealmModel realm, AccessToken claims) {
        if (claims.getSubject() != null) {
            return session.users().getUserById(realm, claims.getSubject());
        }
        UserSessionModel userSession = claims.getSessionId() == null ? null
                : session.sessions().getUserSession(realm, claims.getSessionId());
        return userSession == null ? null : userSession.getUser();
    }

    /** The caller, if the bearer token is valid (verified as the admin API verifies it), else null. */
    private static AuthResult authenticated(KeycloakSession session, RealmModel realm) {
        RealmModel before = session.getContext().getRealm();
        try {
            session.getContext().setRealm(realm);
            return new AppAuthManager.BearerTokenAuthenticator(session).setRealm(realm)
                    .setConnection(session.getContext().getConnection())
                    .setHeaders(session.getContext().getRequestHeaders()).authenticate();
        } finally {
            session.getContext().setRealm(before);
        }
    }

    static boolean onlyHabilitationManager(UserModel user) {
        boolean manager = false;
        for (var group : (Iterable<org.keycloak.models.GroupModel>) user.getGroupsStream()::iterator) {
            if (group.getParentId() != null) {
                continue;
            }
            if (ADMINISTRATORS_GROUP.equals(group.getName())) {
                return false;
            }
            manager |= HABILITATION_MANAGERS_GROUP.equals(group.getName());
        }
        return manager;
    }
}
