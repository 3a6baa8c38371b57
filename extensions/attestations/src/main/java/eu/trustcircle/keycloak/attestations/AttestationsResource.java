package eu.trustcircle.keycloak.attestations;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.jboss.logging.Logger;
import org.keycloak.common.util.Time;
import org.keycloak.crypto.SignatureProvider;
import org.keycloak.crypto.SignatureSignerContext;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.jose.jws.JWSBuilder;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.resources.admin.AdminAuth;
import org.keycloak.services.resources.admin.AdminRoot;
import org.keycloak.services.resources.admin.fgap.AdminPermissions;

import eu.trustcircle.keycloak.habilitation.HabilitationSource;

/**
 * Under {@code /realms/<realm>/trustcircle-attestations}:
 * <ul>
 * <li>{@code GET status/1}: the realm's Token Status List ({@code statuslist+jwt}, signed with the
 *     realm's active key), public. An entry is valid only while its attestation holds: its record
 *     exists and is not revoked, the agent's access account is enabled and their conventions in
 *     force still grant every rubrique it attests. One that stops holding is revoked for good
 *     (kept, and in the audit trail). Computed again when {@value #REFRESH_S} s old, or when an
 *     attestation was issued since (on any node): {@value #REFRESH_S} s is the longest a
 *     revocation waits before the list says it.</li>
 * <li>{@code GET attestations?user=<id>}: an agent's attestation records, for whoever may view the
 *     realm's users.</li>
 * <li>{@code POST attestations/<index>/revoke} {@code {"reason": "..."}}: a manual revocation by
 *     whoever may manage the realm's users (their token, checked as the admin API checks it).</li>
 * <li>{@code GET trust-list}: the federation's trust list as last published here, public, for
 *     verifiers to refresh their cache from. {@code PUT trust-list} {@code {"trust_list": "..."}}
 *     publishes one: whoever may
 *     manage the realm; a compact JWS of the trust list's type, never older (by its sequence)
 *     than the one published, in the audit trail. Its signature is the verifiers' to check (the
 *     federation's key is given to them out of band): a list this realm's administrators could
 *     forge would be refused by every verifier, and kept from none of the one they hold.</li>
 * </ul>
 */
public class AttestationsResource {

    static final int REFRESH_S = 30;
    static final int TOKEN_LIFETIME_S = 86_400;
    /** An expired attestation's record is forgotten (its entry freed) this long after its expiry. */
    static final long PURGE_AFTER_S = 86_400;
    static final String MEDIA_TYPE = "application/statuslist+jwt";
    static final String TRUST_LIST_TYPE = "trustcircle-trust-list+jwt";
    static final String TRUST_LIST_MEDIA_TYPE = "application/jwt";
    /** The realm attribute that holds the published trust list. */
    static final String TRUST_LIST_ATTR = "trustcircle.attestations.trust-list";
    /** Far above a federation's list (a few KiB an issuer), far below what could fill the database. */
    static final int TRUST_LIST_MAX_CHARS = 256 * 1024;
    private static final Logger LOG = Logger.getLogger("trustcircle.attestations");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, long[]> BUILT_AT = new ConcurrentHashMap<>();
    private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    private final KeycloakSession session;

    public AttestationsResource(KeycloakSession session) {
        this.session = session;
    }

    @GET
    @Path("status/{list}")
    @Produces(MEDIA_TYPE)
    public Response statusList(@PathParam("list") String list) {
        if (!"1".equals(list)) {
            throw new NotFoundException("no such status list");
        }
        RealmModel realm = session.getContext().getRealm();
        long now = Time.currentTime();
        long[] built = BUILT_AT.get(realm.getId());
        String token = TOKENS.get(realm.getId());
        // rebuilt when older than REFRESH_S, or when an attestation was issued since (on any node):
        // a new attestation is never shown invalid for want of a rebuild
        long newest = AttestationStore.newest(session, realm);
        if (token == null || built == null || now - built[0] >= REFRESH_S || newest > built[1]) {
            token = build(realm, now);
            TOKENS.put(realm.getId(), token);
            BUILT_AT.put(realm.getId(), new long[] {now, newest});
        }
        return Response.ok(token, MEDIA_TYPE).header("Cache-Control", "max-age=" + REFRESH_S).build();
    }

    static void forget(RealmModel realm) {
        BUILT_AT.remove(realm.getId());
        TOKENS.remove(realm.getId());
    }

    private String build(RealmModel realm, long now) {
        List<Integer> valid = new ArrayList<>();
        List<Integer> invalidHeld = new ArrayList<>();  // entries of records kept invalid (not yet forgotten)
        Map<String, ClientModel> services = new LinkedHashMap<>();
        for (AttestationStore.Stored stored : AttestationStore.all(session, realm)) {
            AttestationRecord record = stored.record();
            UserModel user = session.users().getUserById(realm, stored.userId());
            ClientModel service = services.computeIfAbsent(record.serviceClient(), realm::getClientByClientId);
            List<String> granted = user == null || service == null || record.revokedAt() != null
                    ? List.of() : HabilitationSource.forClient(service, user);
            String invalid = record.invalidity(now, user != null && user.isEnabled(), granted);
            if (invalid == null) {
                valid.add(record.index());
                continue;
            }
            if (now >= record.expiresAt() + PURGE_AFTER_S) {
                AttestationStore.purge(session, realm, stored);
                continue;
            }
            invalidHeld.add(record.index());
            if (record.revokedAt() == null && now < record.expiresAt()) {
                AttestationRecord revoked = record.revoked(now, invalid);
                AttestationStore.save(session, realm, stored, revoked);
                LOG.infof("realm %s: attestation %d of user %s revoked: %s", realm.getName(), record.index(),
                        stored.userId(), invalid);
                AuthDetails by = new AuthDetails();
                by.setRealmId(realm.getId());
                AttestationAudit.record(session, realm, OperationType.DELETE, stored.userId(), revoked, by,
                        "revoked: " + invalid);
            }
        }
        Map<String, Object> statusList = new LinkedHashMap<>();
        statusList.put("bits", 1);
        statusList.put("lst", StatusBits.encode(AttestationStore.CAPACITY, StatusBits.validEntries(valid, invalidHeld)));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", HabilitationAttestationMapper.statusUri(session, realm));
        claims.put("iat", now);
        claims.put("exp", now + TOKEN_LIFETIME_S);
        claims.put("ttl", REFRESH_S);
        claims.put("status_list", statusList);
        String algorithm = realm.getDefaultSignatureAlgorithm() == null ? "RS256" : realm.getDefaultSignatureAlgorithm();
        SignatureSignerContext signer = session.getProvider(SignatureProvider.class, algorithm).signer();
        return new JWSBuilder().type("statuslist+jwt").jsonContent(claims).sign(signer);
    }

    private AdminAuth admin() {
        RealmModel realm = session.getContext().getRealm();
        AdminAuth auth = AdminRoot.authenticateRealmAdminRequest(session);
        session.getContext().setRealm(realm);
        return auth;
    }

    @GET
    @Path("attestations")
    @Produces(MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> attestations(@QueryParam("user") String userId) {
        RealmModel realm = session.getContext().getRealm();
        AdminPermissions.evaluator(session, realm, admin()).users().requireView();
        if (userId == null || userId.isBlank()) {
            throw new BadRequestException("user is required");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (AttestationStore.Stored stored : AttestationStore.all(session, realm)) {
            if (stored.userId().equals(userId)) {
                AttestationRecord r = stored.record();
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("index", r.index());
                item.put("service_client", r.serviceClient());
                item.put("rubriques", r.rubriques());
                item.put("issued_at", r.issuedAt());
                item.put("expires_at", r.expiresAt());
                item.put("revoked_at", r.revokedAt());
                item.put("reason", r.reason());
                out.add(item);
            }
        }
        return out;
    }

    @POST
    @Path("attestations/{index}/revoke")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response revoke(@PathParam("index") int index, Map<String, String> body) {
        RealmModel realm = session.getContext().getRealm();
        AdminAuth auth = admin();
        AdminPermissions.evaluator(session, realm, auth).users().requireManage();
        String reason = body == null ? null : body.get("reason");
        if (reason == null || reason.isBlank()) {
            throw new BadRequestException("reason is required: say why the attestation is revoked");
        }
        for (AttestationStore.Stored stored : AttestationStore.all(session, realm)) {
            if (stored.record().index() == index) {
                if (stored.record().revokedAt() == null) {
                    String why = "revoked by " + auth.getUser().getUsername() + ": " + reason;
                    AttestationRecord revoked = stored.record().revoked(Time.currentTime(), why);
                    AttestationStore.save(session, realm, stored, revoked);
                    AuthDetails by = new AuthDetails();
                    by.setRealmId(auth.getRealm().getId());
                    by.setUserId(auth.getUser().getId());
                    by.setClientId(auth.getClient().getId());
                    AttestationAudit.record(session, realm, OperationType.DELETE, stored.userId(), revoked, by, why);
                    forget(realm);
                }
                return Response.noContent().build();
            }
        }
        throw new NotFoundException("no attestation at index " + index);
    }

    @GET
    @Path("trust-list")
    @Produces(TRUST_LIST_MEDIA_TYPE)
    public Response trustList() {
        String published = session.getContext().getRealm().getAttribute(TRUST_LIST_ATTR);
        if (published == null || published.isBlank()) {
            throw new NotFoundException("no trust list is published here");
        }
        return Response.ok(published, TRUST_LIST_MEDIA_TYPE).header("Cache-Control", "max-age=300").build();
    }

    @PUT
    @Path("trust-list")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response publishTrustList(Map<String, String> body) {
        RealmModel realm = session.getContext().getRealm();
        AdminAuth auth = admin();
        AdminPermissions.evaluator(session, realm, auth).realm().requireManageRealm();
        String given = body == null ? null : body.get("trust_list");
        String token = given == null ? "" : given.strip();
        String published = realm.getAttribute(TRUST_LIST_ATTR);
        long sequence;
        try {
            sequence = sequence(token);
            if (published != null && !published.isBlank()) {
                if (published.equals(token)) {
                    return Response.noContent().build();
                }
                long current = sequence(published);
                if (sequence <= current) {
                    return refused(409, "the trust list is number " + sequence + ", not newer than the one "
                            + "published (" + current + "): sign a new one (trustcircle attest trust-list)");
                }
            }
        } catch (IllegalArgumentException err) {
            return refused(400, err.getMessage());
        }
        realm.setAttribute(TRUST_LIST_ATTR, token);
        AuthDetails by = new AuthDetails();
        by.setRealmId(auth.getRealm().getId());
        by.setUserId(auth.getUser().getId());
        by.setClientId(auth.getClient().getId());
        AttestationAudit.trustListPublished(session, realm, by, sequence);
        LOG.infof("realm %s: trust list number %d published by %s", realm.getName(), sequence,
                auth.getUser().getUsername());
        return Response.noContent().build();
    }

    private static Response refused(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }

    /** The trust list's sequence, once it is a compact JWS of its type (IllegalArgumentException, saying
     * what is wrong, otherwise). */
    static long sequence(String token) {
        if (token.isEmpty() || token.length() > TRUST_LIST_MAX_CHARS) {
            throw new IllegalArgumentException("trust_list must be the signed trust list (a compact JWS of at most "
                    + TRUST_LIST_MAX_CHARS + " characters)");
        }
        String[] parts = token.split("\\.", -1);
        Map<?, ?> header;
        Map<?, ?> claims;
        try {
            if (parts.length != 3 || parts[2].isEmpty()) {
                throw new IllegalArgumentException("not three parts, the last a signature");
            }
            Base64.Decoder base64 = Base64.getUrlDecoder();
            header = JSON.readValue(base64.decode(parts[0]), Map.class);
            claims = JSON.readValue(base64.decode(parts[1]), Map.class);
        } catch (IOException | IllegalArgumentException err) {
            throw new IllegalArgumentException("trust_list is not a compact JWS: " + err.getMessage(), err);
        }
        if (!TRUST_LIST_TYPE.equals(header.get("typ"))) {
            throw new IllegalArgumentException("trust_list has type " + header.get("typ") + ", not "
                    + TRUST_LIST_TYPE + ": publish what trustcircle attest trust-list signed");
        }
        if (!(claims.get("sequence") instanceof Number number)) {
            throw new IllegalArgumentException("the trust list has no sequence number");
        }
        return number.longValue();
    }
}
