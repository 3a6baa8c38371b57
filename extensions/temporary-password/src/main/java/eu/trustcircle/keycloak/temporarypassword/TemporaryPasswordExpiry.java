package eu.trustcircle.keycloak.temporarypassword;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.common.util.Time;
import org.keycloak.models.AuthenticatorConfigModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;

/**
 * After the password step: refuses a login with a temporary password older than the configured
 * validity (see {@link TemporaryPassword}). In the browser the person sees why; by direct grant
 * the answer is {@code invalid_grant}. The event carries {@link TemporaryPassword#ERROR_EXPIRED}.
 */
public class TemporaryPasswordExpiry implements Authenticator {

    private final boolean directGrant;

    TemporaryPasswordExpiry(boolean directGrant) {
        this.directGrant = directGrant;
    }

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        AuthenticatorConfigModel config = context.getAuthenticatorConfig();
        int hours = TemporaryPassword.validityHours(
                config == null || config.getConfig() == null ? null : config.getConfig().get(TemporaryPassword.VALIDITY_HOURS));
        boolean expired = user != null && TemporaryPassword.currentPassword(user)
                .filter(password -> TemporaryPassword.isTemporary(user, password))
                .filter(password -> TemporaryPassword.expired(password.getCreatedDate(), Time.currentTimeMillis(), hours))
                .isPresent();
        if (!expired) {
            context.success();
            return;
        }
        context.getEvent().user(user).detail("validity_hours", Integer.toString(hours))
                .error(TemporaryPassword.ERROR_EXPIRED);
        Response answer = directGrant
                ? Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new OAuth2ErrorRepresentation("invalid_grant", TemporaryPassword.MESSAGE)).build()
                : context.form().setError(TemporaryPassword.MESSAGE).createErrorPage(Response.Status.UNAUTHORIZED);
        context.failure(AuthenticationFlowError.ACCESS_DENIED, answer);
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
