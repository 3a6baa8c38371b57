package eu.trustcircle.keycloak.attestations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import org.keycloak.common.util.Time;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.oid4vc.issuance.mappers.OID4VCMapper;
import org.keycloak.protocol.oid4vc.model.VerifiableCredential;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.Urls;

import eu.trustcircle.keycloak.conventiongate.TrustcircleIds;

import eu.trustcircle.keycloak.habilitation.HabilitationSource;

/**
 * OID4VC mapper {@value #PROVIDER_ID} of a habilitation attestation's credential scope (Keycloak's
 * own issuer, SD-JWT VC): the agent's organisation and the service (visible), their names and
 * each rubrique their conventions grant now (one selectively disclosable claim each, {@code true}),
 * and the {@code status} claim (a Token Status List entry, visible). No convention in force, no
 * attestation: the credential request is refused. Each issuance is recorded
 * ({@link AttestationStore}) and is in the audit trail.
 */
public class HabilitationAttestationMapper extends OID4VCMapper {

    public static final String PROVIDER_ID = "trustcircle-habilitation-attestation-mapper";
    /** Mapper config: the clientId of the service whose rubriques are attested. */
    public static final String SERVICE_CLIENT = "trustcircle.service.client";
    /** Mapper config: the attestation's lifetime in seconds (the scope's refresh interval: its exp). */
    public static final String LIFETIME = "trustcircle.attestation.lifetime";
    /** Mapper config: how many unexpired attestations of the service an agent may hold at once. */
    public static final String MAX_HELD = "trustcircle.attestation.max_held";
    /** The path of the realm's status list under the realm. */
    public static final String STATUS_PATH = AttestationsResourceProviderFactory.PROVIDER_ID + "/status/1";

    private final KeycloakSession session;

    public HabilitationAttestationMapper() {
        this(null);
    }

    HabilitationAttestationMapper(KeycloakSession session) {
        this.session = session;
    }

    static String statusUri(KeycloakSession session, RealmModel realm) {
        return Urls.realmIssuer(session.getContext().getUri().getBaseUri(), realm.getName()) + "/" + STATUS_PATH;
    }

    @Override
    protected List<ProviderConfigProperty> getIndividualConfigProperties() {
        List<ProviderConfigProperty> properties = new ArrayList<>();
        properties.add(new ProviderConfigProperty(SERVICE_CLIENT, "Service client",
                "The clientId of the service whose rubriques are attested", ProviderConfigProperty.STRING_TYPE, null));
        properties.add(new ProviderConfigProperty(LIFETIME, "Lifetime (s)",
                "How long an attestation is valid", ProviderConfigProperty.STRING_TYPE, "43200"));
        properties.add(new ProviderConfigProperty(MAX_HELD, "At most held",
                "How many unexpired attestations (revoked or not) an agent may hold at once",
                ProviderConfigProperty.STRING_TYPE, "5"));
        return properties;
    }

    /** In the issuer's metadata as the organisation's claim (Keycloak 26.7 fails a credential request
     * whose configuration lists no claim at all). */
    @Override
    public boolean includeInMetadata() {
        return true;
    }

    @Override
    public List<String> getMetadataAttributePath() {
        return List.of("organisation");
    }

    @Override
    public void setClaim(VerifiableCredential credential, UserSessionModel userSession) {
        // every claim is set on the subject's claims (below)
    }

    @Override
    public void setClaim(Map<String, Object> claims, UserSessionModel userSession) {
        RealmModel realm = userSession.getRealm();
        UserModel user = userSession.getUser();
        ClientModel service = realm.getClientByClientId(mapperModel.getConfig().get(SERVICE_CLIENT));
        if (service == null) {
            throw refusal("the attested service is not configured");
        }
        List<String> rubriques = HabilitationSource.forClient(service, user);
        if (rubriques.isEmpty()) {
            throw refusal("no convention in force grants this agent a rubrique of " + service.getClientId());
        }
        long now = Time.currentTime();
        long lifetime = Long.parseLong(mapperModel.getConfig().getOrDefault(LIFETIME, "43200"));
        int maxHeld = Integer.parseInt(mapperModel.getConfig().getOrDefault(MAX_HELD, "5"));
        long held = AttestationStore.held(user, service.getClientId(), now);
        if (held >= maxHeld) {  // no agent fills the realm's status list: each holds a few entries at a time
            throw refusal("the agent already holds " + held + " unexpired attestations of "
                    + service.getClientId() + " (at most " + maxHeld + ")");
        }
        AttestationRecord record = AttestationStore.issue(session, realm, user, service.getClientId(), rubriques, now,
                now + lifetime);
        String organisation = userSession.getNote("identity_provider");
        if (organisation != null) {
            claims.put("organisation", organisation);
        }
        claims.put("service", service.getAttribute(TrustcircleIds.CLIENT_SERVICE));
        if (user.getFirstName() != null) {
            claims.put("given_name", user.getFirstName());
        }
        if (user.getLastName() != null) {
            claims.put("family_name", user.getLastName());
        }
        for (String rubrique : rubriques) {
            claims.put(rubrique, Boolean.TRUE);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("idx", record.index());
        entry.put("uri", statusUri(session, realm));
        claims.put("status", Map.of("status_list", entry));
        AuthDetails by = new AuthDetails();
        by.setRealmId(realm.getId());
        by.setUserId(user.getId());
        if (session.getContext().getClient() != null) {
            by.setClientId(session.getContext().getClient().getId());
        }
        AttestationAudit.record(session, realm, OperationType.CREATE, user.getId(), record, by, "issued");
    }

    /** A refused credential request: 400 invalid_credential_request with the reason (Keycloak answers
     * a mapper's VCIssuerException with a 500). */
    private static ErrorResponseException refusal(String why) {
        return new ErrorResponseException("invalid_credential_request", why, Response.Status.BAD_REQUEST);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getDisplayType() {
        return "trustcircle: habilitation attestation";
    }

    @Override
    public String getHelpText() {
        return "The agent's organisation, names and the rubriques their conventions grant now (each selectively "
                + "disclosable), with a Token Status List entry; refused without a convention in force.";
    }

    @Override
    public ProtocolMapper create(KeycloakSession session) {
        return new HabilitationAttestationMapper(session);
    }
}
