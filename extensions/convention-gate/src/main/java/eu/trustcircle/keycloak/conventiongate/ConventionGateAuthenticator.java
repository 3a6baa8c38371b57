package eu.trustcircle.keycloak.conventiongate;

import java.time.Instant;

import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Admits an identified user to a gated client only if one of the user's effective groups
 * carries a verified, currently valid convention for the client's service. Meant for the
 * provider realm's post-broker-login flow; also usable in a browser flow after the user is
 * identified. The decision itself lives in {@link ConventionPolicy}.
 */
public class ConventionGateAuthenticator implements Authenticator {

    private static final Logger LOG = Logger.getLogger(ConventionGateAuthenticator.class);

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        ClientModel client = context.getAuthenticationSession().getClient();
        String serviceId = client == null ? null : client.getAttribute(TrustcircleIds.CLIENT_SERVICE);
        if (serviceId == null) {
            context.success();
            return;
        }
        UserModel user = context.getUser();
        if (user == null) {
            context.failure(AuthenticationFlowError.UNKNOWN_USER);
            return;
        }
        Instant now = Instant.ofEpochMilli(Time.currentTimeMillis());
        ConventionDecision decision = ConventionPolicy.decide(serviceId, EffectiveGroups.of(user), now);
        decision.warnings().forEach(w -> LOG.warnf("realm %s, service %s: %s",
                context.getRealm().getName(), serviceId, w));
        if (decision.allowed()) {
            context.success();
        } else {
            deny(context, user, serviceId, decision.deniedBy().orElseThrow());
        }
    }

    private static void deny(AuthenticationFlowContext context, UserModel user, String serviceId,
            ConventionRule rule) {
        context.getEvent()
                .user(user)
                .detail(TrustcircleIds.DETAIL_RULE, rule.code())
                .detail(TrustcircleIds.DETAIL_SERVICE, serviceId)
                .error(TrustcircleIds.ERROR_CONVENTION_DENIED);
        Response page = context.form()
                .setError(denialMessage(rule))
                .createErrorPage(Response.Status.FORBIDDEN);
        context.failure(AuthenticationFlowError.ACCESS_DENIED, page);
    }

    /**
     * @param rule the denying rule
     * @return the text shown to the user; literal, as it is not a theme message key
     */
    static String denialMessage(ConventionRule rule) {
        return "Your organisation has no active convention for this service (rule: " + rule.code()
                + "). Contact your organisation's administrator.";
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        // No form is shown, so there is no action to handle.
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
        // Nothing the user could set up to pass the gate.
    }

    @Override
    public void close() {
        // Stateless.
    }
}
