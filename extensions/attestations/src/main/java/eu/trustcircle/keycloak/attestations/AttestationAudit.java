package eu.trustcircle.keycloak.attestations;

import java.util.Map;
import java.util.UUID;

import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/** Admin events of the provider realm for what happens to attestations, for its listeners (the audit trail). */
final class AttestationAudit {

    /** The admin event resource type of an attestation's issuance or revocation. */
    static final String RESOURCE_TYPE = "TRUSTCIRCLE_ATTESTATION";
    /** The admin event resource type of a trust list's publication. */
    static final String TRUST_LIST_RESOURCE_TYPE = "TRUSTCIRCLE_TRUST_LIST";

    private AttestationAudit() {
    }

    static void record(KeycloakSession session, RealmModel realm, OperationType operation, String userId,
                       AttestationRecord attestation, AuthDetails by, String what) {
        send(session, realm, event(realm, operation, RESOURCE_TYPE,
                "users/" + userId + "/attestations/" + attestation.index(), by,
                Map.of("attestation", what, "index", String.valueOf(attestation.index()),
                        "service_client", attestation.serviceClient(),
                        "rubriques", String.join(",", attestation.rubriques()))));
    }

    /** A trust list published in the realm (trust-list), by whom, its sequence. */
    static void trustListPublished(KeycloakSession session, RealmModel realm, AuthDetails by, long sequence) {
        send(session, realm, event(realm, OperationType.UPDATE, TRUST_LIST_RESOURCE_TYPE,
                AttestationsResourceProviderFactory.PROVIDER_ID + "/trust-list", by,
                Map.of("trust_list", "published", "sequence", String.valueOf(sequence))));
    }

    private static AdminEvent event(RealmModel realm, OperationType operation, String type, String path,
                                    AuthDetails by, Map<String, String> details) {
        AdminEvent event = new AdminEvent();
        event.setId(UUID.randomUUID().toString());
        event.setTime(System.currentTimeMillis());
        event.setRealmId(realm.getId());
        event.setRealmName(realm.getName());
        event.setOperationType(operation);
        event.setResourceTypeAsString(type);
        event.setResourcePath(path);
        event.setAuthDetails(by);
        event.setDetails(details);
        return event;
    }

    private static void send(KeycloakSession session, RealmModel realm, AdminEvent event) {
        realm.getEventsListenersStream().forEach(id -> {
            EventListenerProvider listener = session.getProvider(EventListenerProvider.class, id);
            if (listener != null) {
                listener.onEvent(event, false);
            }
        });
    }
}
