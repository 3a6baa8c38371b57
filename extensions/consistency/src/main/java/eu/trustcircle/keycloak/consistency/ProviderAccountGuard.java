package eu.trustcircle.keycloak.consistency;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import org.keycloak.models.IdentityProviderModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.representations.idm.UserRepresentation;
import org.keycloak.util.JsonSerialization;
import org.keycloak.utils.KeycloakSessionUtil;

/**
 * A provider realm's own administrators manage its access accounts, within the consistency rules
 * (the platform's administrator and the checker, from the master realm, are not concerned):
 * <ul>
 * <li>what flows from home (an identity provider's {@link ConsistencyIds#ATTRIBUTES}) is not
 *     edited at the provider;</li>
 * <li>an access account the rules disabled (its root account was disabled, archived or deleted) is
 *     not enabled again at the provider;</li>
 * <li>no identity is linked to, or unlinked from, an account by hand: one organisation's agent is
 *     never merged with another account.</li>
 * </ul>
 * Such a request is answered 403 before Keycloak acts; the audit listener's filter records it.
 * A JAX-RS filter, picked up from the provider jar at {@code kc.sh build}.
 */
@Provider
public class ProviderAccountGuard implements ContainerRequestFilter {

    private static final Logger LOG = Logger.getLogger("trustcircle.consistency");
    private static final Pattern USER = Pattern.compile("^/?admin/realms/([^/]+)/users/([^/]+)/?$");
    private static final Pattern LINK = Pattern.compile("^/?admin/realms/([^/]+)/users/[^/]+/federated-identity/.*$");

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        String path = request.getUriInfo().getPath();
        Matcher user = USER.matcher(path);
        Matcher link = LINK.matcher(path);
        boolean update = "PUT".equals(request.getMethod()) && user.matches();
        boolean linking = !"GET".equals(request.getMethod()) && link.matches();
        if (!update && !linking) {
            return;
        }
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (session == null) {  // closed: without the session nothing can be checked (a Keycloak change)
            LOG.errorf("no Keycloak session in the request filter: %s %s refused", request.getMethod(), path);
            request.abortWith(Response.status(Response.Status.SERVICE_UNAVAILABLE).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(Map.of("error", "unavailable", "error_description",
                            "trustcircle cannot check this request on this Keycloak version")).build());
            return;
        }
        RealmModel realm = session.realms().getRealmByName(decode(update ? user.group(1) : link.group(1)));
        if (realm == null || realm.getAttribute(ConsistencyIds.FEDERATION) == null
                || realm.getAttribute(ConsistencyIds.ORGANISATION) != null || !issuedBy(request, realm)) {
            return;  // not a provider realm of a federation, or not one of its own administrators
        }
        if (linking) {
            refuse(request, realm, "identities are never linked or unlinked by hand at a provider");
            return;
        }
        byte[] body = request.getEntityStream().readAllBytes();
        request.setEntityStream(new ByteArrayInputStream(body));
        UserModel target = session.users().getUserById(realm, user.group(2));
        UserRepresentation wanted = parse(body);
        if (target == null) {
            return;  // Keycloak answers 404 itself
        }
        if (wanted == null) {  // closed: what this filter cannot read, it does not let through
            refuse(request, realm, "the request's body is not a user representation this guard can read");
            return;
        }
        String reason = refusal(session, realm, target, wanted);
        if (reason != null) {
            refuse(request, realm, reason);
        }
    }

    /** Why the update is refused, or null. */
    static String refusal(KeycloakSession session, RealmModel realm, UserModel target, UserRepresentation wanted) {
        if (Boolean.TRUE.equals(wanted.isEnabled()) && !target.isEnabled()
                && target.getFirstAttribute(ConsistencyIds.DISABLED) != null) {
            return "this access account was disabled because its root account is no longer active at home ("
                    + target.getFirstAttribute(ConsistencyIds.DISABLED) + "): it is enabled again from home only";
        }
        List<String> changed = changedSynchronised(synchronisedOf(session, realm, target), AccessAccounts.access(target),
                wanted, target.getFirstAttribute(ConsistencyIds.DISABLED));
        return changed.isEmpty() ? null
                : "these attributes come from the agent's organisation and are changed there only: " + String.join(", ", changed);
    }

    private static List<String> synchronisedOf(KeycloakSession session, RealmModel realm, UserModel target) {
        List<String> names = new ArrayList<>();
        session.users().getFederatedIdentitiesStream(realm, target).forEach(link -> {
            IdentityProviderModel idp = AccessAccounts.identityProvider(session, realm, link.getIdentityProvider());
            if (idp != null) {
                names.addAll(AccessAccounts.synchronised(idp));
            }
        });
        return names;
    }

    /** The synchronised attributes (and the rules' own marker) whose value the update would change. */
    static List<String> changedSynchronised(List<String> synchronised, AccessAccount current, UserRepresentation wanted,
            String disabledBy) {
        List<String> changed = new ArrayList<>();
        Map<String, List<String>> attributes = wanted.getAttributes();
        for (String name : synchronised) {
            String want = switch (name) {
                case "firstName" -> wanted.getFirstName();
                case "lastName" -> wanted.getLastName();
                case "email" -> wanted.getEmail();
                default -> attributes == null ? current.values().get(name) : first(attributes.get(name));
            };
            boolean named = List.of("firstName", "lastName", "email").contains(name);
            if ((want != null || !named) && !Objects.equals(blank(want), blank(current.values().get(name)))) {
                changed.add(name);
            }
        }
        if (attributes != null && disabledBy != null
                && !Objects.equals(blank(first(attributes.get(ConsistencyIds.DISABLED))), disabledBy)) {
            changed.add(ConsistencyIds.DISABLED);
        }
        return changed;
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static String blank(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    private static UserRepresentation parse(byte[] body) {
        try {
            return JsonSerialization.readValue(body, UserRepresentation.class);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether the caller's token (read unverified: this can only refuse) was issued by {@code realm}. */
    private static boolean issuedBy(ContainerRequestContext request, RealmModel realm) {
        String header = request.getHeaderString("Authorization");
        String[] parts = header == null ? new String[0] : header.trim().split("\\s+", 2);
        if (parts.length != 2) {
            return false;
        }
        try {
            String issuer = new JWSInput(parts[1]).readJsonContent(AccessToken.class).getIssuer();
            return issuer != null && realm.getName().equals(decode(issuer.substring(issuer.lastIndexOf('/') + 1)));
        } catch (JWSInputException e) {
            return false;
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static void refuse(ContainerRequestContext request, RealmModel realm, String reason) {
        LOG.warnf("provider administrator of realm %s refused: %s %s (%s)", realm.getName(), request.getMethod(),
                request.getUriInfo().getPath(), reason);
        request.abortWith(Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("error", "HTTP 403 Forbidden", "error_description", reason)).build());
    }
}
