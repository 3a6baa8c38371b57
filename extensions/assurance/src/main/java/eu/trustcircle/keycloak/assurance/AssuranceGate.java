package eu.trustcircle.keycloak.assurance;

import java.net.URI;

import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationProcessor;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.events.Details;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserSessionModel;
import org.keycloak.services.Urls;
import org.keycloak.services.managers.AuthenticationManager;
import org.keycloak.sessions.AuthenticationSessionModel;

/**
 * At a provider: the level the agent's organisation asserted must reach what the e-service needs
 * (its minimum, the level its request asked for — SAML RequestedAuthnContext or OpenID Connect
 * {@code acr_values}). After a brokered login (post-broker flow) a lower level is refused: 403 page,
 * event error {@link Levels#ERROR_TOO_LOW}. After the provider's session cookie (browser flow) a
 * lower level is stepped up: the agent goes back to their organisation, asked for the level needed.
 */
public class AssuranceGate implements Authenticator {

    private final boolean afterBroker;

    AssuranceGate(boolean afterBroker) {
        this.afterBroker = afterBroker;
    }

    static int needed(AuthenticationSessionModel authSession) {
        ClientModel client = authSession.getClient();
        int minimum = Levels.parse(client == null ? null : client.getAttribute(Levels.CLIENT_MINIMUM), Constants.NO_LOA);
        int samlRequest = Levels.parse(authSession.getClientNote(Levels.REQUIRED), Constants.NO_LOA);
        int oidcRequest = Levels.parse(authSession.getClientNote(Constants.REQUESTED_LEVEL_OF_AUTHENTICATION),
                Constants.NO_LOA);
        return Math.max(minimum, Math.max(samlRequest, oidcRequest));
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        AuthenticationSessionModel authSession = context.getAuthenticationSession();
        String asserted = authSession.getClientNote(Levels.ASSERTED);
        if (afterBroker && asserted != null) {  // the session remembers it: for the response, and the next e-service
            authSession.setUserSessionNote(Levels.HOME_LEVEL, asserted);
        }
        int needed = needed(authSession);
        if (needed == Constants.NO_LOA) {
            context.success();
            return;
        }
        authSession.setClientNote(Levels.REQUIRED, Integer.toString(needed));  // the brokered request asks for it
        UserSessionModel existing = afterBroker ? null : existingSession(context);
        String home = afterBroker ? asserted : existing == null ? null : existing.getNote(Levels.HOME_LEVEL);
        int reached = Levels.parse(home, Constants.NO_LOA);
        if (reached >= needed) {
            context.success();
            return;
        }
        String organisation = existing == null ? null : existing.getNote(Details.IDENTITY_PROVIDER);
        if (!afterBroker && organisation != null) {  // step up at the agent's organisation
            URI location = Urls.identityProviderAuthnRequest(context.getUriInfo().getBaseUri(), organisation,
                    context.getRealm().getName(), context.generateAccessCode(), authSession.getClient().getClientId(),
                    authSession.getTabId(), AuthenticationProcessor.getClientData(context.getSession(), authSession), null);
            context.forceChallenge(Response.seeOther(location).build());
            return;
        }
        context.getEvent().user(context.getUser()).detail("trustcircle_assurance_needed", Integer.toString(needed))
                .detail("trustcircle_assurance_reached", Integer.toString(reached)).error(Levels.ERROR_TOO_LOW);
        Response page = context.form().setError("Your organisation did not confirm the level of authentication this "
                + "service requires (level " + needed + "). Sign in again with your second factor, or contact your "
                + "organisation's administrator.").createErrorPage(Response.Status.FORBIDDEN);
        context.failure(AuthenticationFlowError.ACCESS_DENIED, page);
    }

    private static UserSessionModel existingSession(AuthenticationFlowContext context) {
        AuthenticationManager.AuthResult cookie = AuthenticationManager.authenticateIdentityCookie(
                context.getSession(), context.getRealm(), true);
        UserModel user = context.getUser();
        // the session of the person signing in only: a leftover session of someone else in the same
        // browser gives neither a level nor an organisation
        return cookie == null || user == null || !user.getId().equals(cookie.user().getId()) ? null : cookie.session();
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // no form of its own
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
        // nothing to set up
    }

    @Override
    public void close() {
        // stateless
    }
}
