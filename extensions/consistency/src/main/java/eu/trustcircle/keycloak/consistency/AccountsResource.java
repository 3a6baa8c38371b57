package eu.trustcircle.keycloak.consistency;

import java.util.ArrayList;
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

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;

import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
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
        return page(session, realm, first == null ? 0 : first, size, idpAlias);
    }

    /**
     * Two queries a page (the users, then their few attributes): Keycloak's user adapters would
     * load and cache every user with one more query each. Local users only (a user storage
     * provider's users are not the federation's agents).
     */
    static List<Map<String, Object>> page(KeycloakSession session, RealmModel realm, int first, int max,
            String idpAlias) {
        EntityManager em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        boolean linked = idpAlias != null && !idpAlias.isBlank();
        TypedQuery<Object[]> users = em.createQuery("select u.id, u.username, u.enabled, u.firstName, u.lastName, "
                + "u.email from UserEntity u where u.realmId = :realm and u.serviceAccountClientLink is null"
                + (linked ? " and exists (select f from FederatedIdentityEntity f where f.user = u"
                        + " and f.identityProvider = :alias)" : "")
                + " order by u.username", Object[].class)
                .setParameter("realm", realm.getId()).setFirstResult(first).setMaxResults(max);
        if (linked) {
            users.setParameter("alias", idpAlias);
        }
        Map<String, Map<String, Object>> records = new LinkedHashMap<>();
        for (Object[] row : users.getResultList()) {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", row[0]);
            record.put("username", row[1]);
            record.put("enabled", row[2]);
            record.put("firstName", row[3]);
            record.put("lastName", row[4]);
            record.put("email", row[5]);
            record.put("attributes", new TreeMap<String, List<String>>());
            records.put((String) row[0], record);
        }
        if (!records.isEmpty()) {
            attributes(em, records);
        }
        return new ArrayList<>(records.values());
    }

    @SuppressWarnings("unchecked")
    private static void attributes(EntityManager em, Map<String, Map<String, Object>> records) {
        List<Object[]> rows = em.createQuery("select a.user.id, a.name, a.value, a.longValue from UserAttributeEntity a "
                + "where a.user.id in :ids and (a.name in :names or a.name like :prefix)", Object[].class)
                .setParameter("ids", records.keySet()).setParameter("names", ATTRIBUTES)
                .setParameter("prefix", ConsistencyIds.PERSISTENT_NAME_ID_PREFIX + "%").getResultList();
        for (Object[] row : rows) {
            Map<String, List<String>> attributes = (Map<String, List<String>>) records.get((String) row[0]).get("attributes");
            String value = row[2] != null ? (String) row[2] : (String) row[3];
            attributes.computeIfAbsent((String) row[1], k -> new ArrayList<>()).add(value);
        }
    }
}
