package eu.trustcircle.keycloak.conventiongate;

import static eu.trustcircle.keycloak.conventiongate.Fakes.fake;
import static eu.trustcircle.keycloak.conventiongate.Fakes.group;
import static eu.trustcircle.keycloak.conventiongate.Fakes.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.common.util.Time;
import org.keycloak.events.EventBuilder;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.sessions.AuthenticationSessionModel;

/** Drives the thin authenticator through fakes of the flow context. */
class ConventionGateAuthenticatorTest {

    private static final String SERVICE = "tax-portal";

    /** What the authenticator did to the flow. */
    private static final class Outcome {
        boolean success;
        AuthenticationFlowError error;
        String errorMessage;
        Response.Status pageStatus;
        String eventError;
    }

    private final Outcome outcome = new Outcome();
    private final RealmModel realm = fake(RealmModel.class, Map.of(
            "getId", args -> "realm-id", "getName", args -> "provider"));
    private final KeycloakSessionFactory sessionFactory = fake(KeycloakSessionFactory.class, Map.of());
    private final KeycloakSession session = fake(KeycloakSession.class, Map.of(
            "getKeycloakSessionFactory", args -> sessionFactory));
    private final EventBuilder event = new EventBuilder(realm, session) {
        @Override
        public void error(String error) {
            outcome.eventError = error;
        }
    };

    @AfterEach
    void resetClock() {
        Time.setOffset(0);
    }

    private void authenticate(Map<String, String> clientAttributes, UserModel user) {
        ClientModel client = fake(ClientModel.class, Map.of(
                "getAttribute", args -> clientAttributes.get((String) args[0])));
        AuthenticationSessionModel authSession = fake(AuthenticationSessionModel.class, Map.of(
                "getClient", args -> client));
        LoginFormsProvider[] form = new LoginFormsProvider[1];
        form[0] = fake(LoginFormsProvider.class, Map.of(
                "setError", args -> { outcome.errorMessage = (String) args[0]; return form[0]; },
                "createErrorPage", args -> { outcome.pageStatus = (Response.Status) args[0]; return null; }));
        Map<String, Function<Object[], Object>> answers = new HashMap<>();
        answers.put("getAuthenticationSession", args -> authSession);
        answers.put("getUser", args -> user);
        answers.put("getRealm", args -> realm);
        answers.put("getSession", args -> session);
        answers.put("getEvent", args -> event);
        answers.put("form", args -> form[0]);
        answers.put("success", args -> { outcome.success = true; return null; });
        answers.put("failure", args -> { outcome.error = (AuthenticationFlowError) args[0]; return null; });
        new ConventionGateAuthenticator().authenticate(fake(AuthenticationFlowContext.class, answers));
    }

    private static GroupModel convention(String from, String until, GroupModel parent) {
        return group("convention", parent, Map.of(
                TrustcircleIds.CONVENTION_SERVICE, SERVICE,
                TrustcircleIds.CONVENTION_STATUS, "verified",
                TrustcircleIds.CONVENTION_VALID_FROM, from,
                TrustcircleIds.CONVENTION_VALID_UNTIL, until));
    }

    @Test
    void clientWithoutServiceIsNotGated() {
        authenticate(Map.of(), user());

        assertTrue(outcome.success);
        assertNull(outcome.eventError);
    }

    @Test
    void memberOfSubgroupOfValidConventionPasses() {
        GroupModel org = convention("2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z", null);
        GroupModel team = group("team", org, Map.of());

        authenticate(Map.of(TrustcircleIds.CLIENT_SERVICE, SERVICE), user(team));

        assertTrue(outcome.success);
        assertNull(outcome.error);
    }

    @Test
    void deniesWithEventAndForbiddenPage() {
        GroupModel expired = convention("2000-01-01T00:00:00Z", "2001-01-01T00:00:00Z", null);

        authenticate(Map.of(TrustcircleIds.CLIENT_SERVICE, SERVICE), user(expired));

        assertEquals(false, outcome.success);
        assertEquals(AuthenticationFlowError.ACCESS_DENIED, outcome.error);
        assertEquals(Response.Status.FORBIDDEN, outcome.pageStatus);
        assertTrue(outcome.errorMessage.contains("(rule: convention_expired)"), outcome.errorMessage);
        assertEquals(TrustcircleIds.ERROR_CONVENTION_DENIED, outcome.eventError);
        assertEquals(Map.of(TrustcircleIds.DETAIL_RULE, "convention_expired", TrustcircleIds.DETAIL_SERVICE, SERVICE),
                event.getEvent().getDetails());
        assertEquals("user-1", event.getEvent().getUserId());
    }

    @Test
    void usesKeycloakClockSoItCanBeShifted() {
        Instant now = Instant.ofEpochMilli(Time.currentTimeMillis());
        GroupModel endsSoon = convention(now.minus(1, ChronoUnit.DAYS).toString(),
                now.plus(1, ChronoUnit.HOURS).toString(), null);
        Time.setOffset(2 * 3600);

        authenticate(Map.of(TrustcircleIds.CLIENT_SERVICE, SERVICE), user(endsSoon));

        assertEquals(AuthenticationFlowError.ACCESS_DENIED, outcome.error);
        assertEquals("convention_expired", event.getEvent().getDetails().get(TrustcircleIds.DETAIL_RULE));
    }
}
