package eu.trustcircle.keycloak.audit;

import org.keycloak.events.Event;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * The identifier shared by both sides of a brokered SAML login: the ID of the AuthnRequest the
 * provider realm sends to the agent's home realm. The provider keeps it as the note
 * {@code SAML_REQUEST_ID_BROKER} (to check InResponseTo), the home realm as {@code SAML_REQUEST_ID}
 * (to answer it); both notes move from the authentication session to the client session at login.
 *
 * @param transaction    the AuthnRequest ID shared across realms, if known
 * @param serviceRequest the ID of the e-service's own AuthnRequest at the provider, if any
 */
public record Correlation(String transaction, String serviceRequest) {

    static final String REQUEST_ID = "SAML_REQUEST_ID";
    static final String BROKER_REQUEST_ID = "SAML_REQUEST_ID_BROKER";

    /** @return the correlation of {@code event}, from the authentication or the client session */
    static Correlation of(KeycloakSession session, RealmModel realm, Event event) {
        AuthenticationSessionModel auth = session.getContext().getAuthenticationSession();
        if (auth != null) {
            return fromNotes(auth.getClientNote(BROKER_REQUEST_ID), auth.getClientNote(REQUEST_ID));
        }
        if (realm == null || event.getSessionId() == null || event.getClientId() == null) {
            return new Correlation(null, null);
        }
        UserSessionModel userSession = session.sessions().getUserSession(realm, event.getSessionId());
        ClientModel client = realm.getClientByClientId(event.getClientId());
        AuthenticatedClientSessionModel clientSession = userSession == null || client == null ? null
                : userSession.getAuthenticatedClientSessionByClient(client.getId());
        return clientSession == null ? new Correlation(null, null)
                : fromNotes(clientSession.getNote(BROKER_REQUEST_ID), clientSession.getNote(REQUEST_ID));
    }

    /**
     * At the provider both notes exist: the broker's request is the transaction and the e-service's
     * request is kept beside it. At home only the received request exists: it is the transaction.
     */
    static Correlation fromNotes(String brokerRequest, String request) {
        return brokerRequest != null ? new Correlation(brokerRequest, request) : new Correlation(request, null);
    }
}
