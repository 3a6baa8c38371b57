package eu.trustcircle.keycloak.consistency;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminRoot;
import org.keycloak.services.resources.admin.fgap.AdminPermissions;

/**
 * {@code GET /realms/<realm>/trustcircle-consistency/accounts?first=&max=[&idpAlias=]}: a page of the
 * realm's users as the consistency checker reads them (identifier, username, status, names and
 * e-mail, the base attributes, the marker and the NameIDs given to SAML clients; nothing else),
 * ordered by username. Keycloak's own listing builds a full representation and evaluates
 * permissions for every user, about ten times slower; this one answers only a caller who may view
 * every user of the realm (its admin token, checked as the admin API checks it: 401, 403).
 */
public class AccountsResource {

    static final int MAX_PAGE = 2000;
    private static final List<String> ATTRIBUTES = List.of("addressLine1", "addressLine2", ConsistencyIds.HOME_STATUS,
            ConsistencyIds.STATUS, ConsistencyIds.SOURCE, ConsistencyIds.DISABLED);

    private final KeycloakSession session;

    public AccountsResource(KeycloakSession session) {
        this.session = session;
    }

    @GET
    @Path("accounts")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> accounts(@QueryParam("first") Integer first, @QueryParam("max") Integer max,
            @QueryParam("idpAlias") String idpAlias) {
        RealmModel realm = session.getContext().getRealm();
        AdminAuth auth = AdminRoot.authenticateRealmAdminRequest(session);
        session.getContext().setRealm(realm);
        AdminPermissions.evaluator(session, realm, auth).users().requireView();
        int size = max == null ? 100 : max;
        if (size < 1 || size > MAX_PAGE || (first != null && first < 0)) {
            throw new BadRequestException("max is 1 to " + MAX_PAGE + ", first 0 or more");
        }
        Map<String, String> query = new TreeMap<>();
        query.put(UserModel.INCLUDE_SERVICE_ACCOUNT, "false");
        if (idpAlias != null && !idpAlias.isBlank()) {
            query.put(UserModel.IDP_ALIAS, idpAlias);
        }
        return session.users().searchForUserStream(realm, query, first == null ? 0 : first, size)
                .map(AccountsResource::record).toList();
    }

    static Map<String, Object> record(UserModel user) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("id", user.getId());
        record.put("username", user.getUsername());
        record.put("enabled", user.isEnabled());
        record.put("firstName", user.getFirstName());
        record.put("lastName", user.getLastName());
        record.put("email", user.getEmail());
        Map<String, List<String>> attributes = new TreeMap<>();
        user.getAttributes().forEach((name, values) -> {
            if (ATTRIBUTES.contains(name) || name.startsWith(ConsistencyIds.PERSISTENT_NAME_ID_PREFIX)) {
                attributes.put(name, values);
            }
        });
        record.put("attributes", attributes);
        return record;
    }
}
