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

    private AttestationAudit() {
    }

    static void record(KeycloakSession session, RealmModel realm, OperationType operation, String userId,
                       AttestationRecord attestation, AuthDetails by, String what) {
        AdminEvent event = new AdminEvent();
        event.setId(UUID.randomUUID().toString());
        event.setTime(System.currentTimeMillis());
        event.setRealmId(realm.getId());
        event.setRealmName(realm.getName());
        event.setOperationType(operation);
        event.setResourceTypeAsString(RESOURCE_TYPE);
        event.setResourcePath("users/" + userId + "/attestations/" + attestation.index());
        event.setAuthDetails(by);
        event.setDetails(Map.of("attestation", what, "index", String.valueOf(attestation.index()),
                "service_client", attestation.serviceClient(), "rubriques", String.join(",", attestation.rubriques())));
        realm.getEventsListenersStream().forEach(id -> {
            EventListenerProvider listener = session.getProvider(EventListenerProvider.class, id);
            if (listener != null) {
                listener.onEvent(event, false);
            }
        });
    }
}
