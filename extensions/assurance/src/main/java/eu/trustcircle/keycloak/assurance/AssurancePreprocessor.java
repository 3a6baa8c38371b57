package eu.trustcircle.keycloak.assurance;

import java.net.URI;

import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.dom.saml.v2.assertion.AssertionType;
import org.keycloak.dom.saml.v2.assertion.AuthnContextClassRefType;
import org.keycloak.dom.saml.v2.assertion.AuthnContextType;
import org.keycloak.dom.saml.v2.assertion.AuthnStatementType;
import org.keycloak.dom.saml.v2.assertion.StatementAbstractType;
import org.keycloak.dom.saml.v2.protocol.AuthnContextComparisonType;
import org.keycloak.dom.saml.v2.protocol.AuthnRequestType;
import org.keycloak.dom.saml.v2.protocol.RequestedAuthnContextType;
import org.keycloak.dom.saml.v2.protocol.ResponseType;
import org.keycloak.dom.saml.v2.protocol.StatusResponseType;
import org.keycloak.models.AuthenticatedClientSessionModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.protocol.saml.preprocessor.SamlAuthenticationPreprocessor;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * Levels of assurance over SAML, which Keycloak 26.5 does not handle (its SAML step-up comes later):
 * <ul>
 * <li><b>a request arrives</b> ({@code RequestedAuthnContext}, or the e-service's minimum): at a
 * provider's e-service (a client with {@link Levels#CLIENT_MINIMUM} or {@code trustcircle.service})
 * the level is kept for the assurance gate and the brokered request; anywhere else (an
 * organisation's realm answering the provider) it becomes Keycloak's requested level of
 * authentication, so the realm's flow steps up as it does for OpenID Connect;</li>
 * <li><b>the provider brokers</b> the login to the agent's organisation: the needed level goes in
 * the AuthnRequest as {@code RequestedAuthnContext} (comparison minimum);</li>
 * <li><b>a response leaves</b>: its AuthnContextClassRef names the level reached — the one the
 * organisation asserted for a brokered login, the realm's own for a local one.</li>
 * </ul>
 */
public class AssurancePreprocessor implements SamlAuthenticationPreprocessor {

    /** Provider id. */
    public static final String PROVIDER_ID = "trustcircle-assurance";
    private static final String SERVICE_ATTRIBUTE = "trustcircle.service";
    private static final Logger LOG = Logger.getLogger(AssurancePreprocessor.class);

    static boolean isProviderService(ClientModel client) {
        return client != null && (client.getAttribute(SERVICE_ATTRIBUTE) != null
                || client.getAttribute(Levels.CLIENT_MINIMUM) != null);
    }

    @Override
    public AuthnRequestType beforeProcessingLoginRequest(AuthnRequestType request, AuthenticationSessionModel authSession) {
        Levels levels = Levels.of(authSession.getRealm());
        RequestedAuthnContextType requested = request.getRequestedAuthnContext();
        int asked = requested == null ? Constants.NO_LOA
                : levels.requested(requested.getAuthnContextClassRef()).orElse(Constants.NO_LOA);
        if (requested != null && asked == Constants.NO_LOA) {
            LOG.warnf("realm %s, client %s: no known level among the requested %s", authSession.getRealm().getName(),
                    authSession.getClient().getClientId(), requested.getAuthnContextClassRef());
        }
        ClientModel client = authSession.getClient();
        int needed = Math.max(asked, Levels.parse(client.getAttribute(Levels.CLIENT_MINIMUM), Constants.NO_LOA));
        if (needed == Constants.NO_LOA) {
            return request;
        }
        if (isProviderService(client)) {
            authSession.setClientNote(Levels.REQUIRED, Integer.toString(needed));
        } else {
            authSession.setClientNote(Constants.REQUESTED_LEVEL_OF_AUTHENTICATION, Integer.toString(needed));
        }
        return request;
    }

    @Override
    public AuthnRequestType beforeSendingLoginRequest(AuthnRequestType request, AuthenticationSessionModel authSession) {
        int needed = Levels.parse(authSession.getClientNote(Levels.REQUIRED), Constants.NO_LOA);
        if (needed == Constants.NO_LOA) {
            return request;
        }
        Levels.of(authSession.getRealm()).uri(needed).ifPresent(uri -> {
            RequestedAuthnContextType context = new RequestedAuthnContextType();
            context.setComparison(AuthnContextComparisonType.MINIMUM);
            context.addAuthnContextClassRef(uri);
            request.setRequestedAuthnContext(context);
        });
        return request;
    }

    @Override
    public StatusResponseType beforeSendingResponse(StatusResponseType response, AuthenticatedClientSessionModel clientSession) {
        if (!(response instanceof ResponseType login) || clientSession == null) {
            return response;
        }
        String home = clientSession.getUserSession().getNote(Levels.HOME_LEVEL);
        int reached = home != null ? Levels.parse(home, Constants.NO_LOA)
                : Levels.parse(clientSession.getNote(Constants.LEVEL_OF_AUTHENTICATION), Constants.NO_LOA);
        Levels.of(clientSession.getRealm()).uri(reached).ifPresent(uri -> {
            for (ResponseType.RTChoiceType choice : login.getAssertions()) {
                AssertionType assertion = choice.getAssertion();
                if (assertion == null) {
                    continue;
                }
                for (StatementAbstractType statement : assertion.getStatements()) {
                    if (statement instanceof AuthnStatementType authn) {
                        AuthnContextType context = authn.getAuthnContext() == null ? new AuthnContextType()
                                : authn.getAuthnContext();
                        AuthnContextType.AuthnContextTypeSequence sequence = context.getSequence() == null
                                ? new AuthnContextType.AuthnContextTypeSequence() : context.getSequence();
                        sequence.setClassRef(new AuthnContextClassRefType(URI.create(uri)));
                        context.setSequence(sequence);
                        authn.setAuthnContext(context);
                    }
                }
            }
        });
        return response;
    }

    @Override
    public SamlAuthenticationPreprocessor create(KeycloakSession session) {
        return this;
    }

    @Override
    public void init(Config.Scope config) {
        // no options
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        // nothing to prepare
    }

    @Override
    public void close() {
        // stateless
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
