package eu.trustcircle.keycloak.conventiongate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;
import org.keycloak.OAuthErrorException;
import org.keycloak.common.util.Time;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.representations.idm.ClientPolicyExecutorConfigurationRepresentation;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyEvent;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.executor.ClientPolicyExecutorProvider;

/**
 * A client policy executor: a partner's application (a client carrying a convention's attributes)
 * gets tokens only while its convention is in force — the same decision as the convention gate's
 * for agents ({@link ConventionPolicy}), on the client's own attributes. Outside the window the
 * token request answers {@code unauthorized_client} with the rule; no re-apply is needed when a
 * convention ends. Clients without the attributes are not concerned.
 */
public class ConventionWindowExecutor implements ClientPolicyExecutorProvider<ClientPolicyExecutorConfigurationRepresentation> {

    /** Provider id, as the realm's client profile names it. */
    public static final String PROVIDER_ID = "trustcircle-convention-window";
    private static final Logger LOG = Logger.getLogger(ConventionWindowExecutor.class);
    private static final List<ClientPolicyEvent> EVENTS = List.of(ClientPolicyEvent.SERVICE_ACCOUNT_TOKEN_REQUEST,
            ClientPolicyEvent.TOKEN_REQUEST, ClientPolicyEvent.TOKEN_REFRESH, ClientPolicyEvent.TOKEN_EXCHANGE_REQUEST);

    private final KeycloakSession session;

    public ConventionWindowExecutor(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public String getProviderId() {
        return PROVIDER_ID;
    }

    /** The client's convention, as the gate reads a convention group; null for other clients. */
    static GroupAttributes convention(ClientModel client) {
        Map<String, String> attributes = client.getAttributes();
        if (!attributes.containsKey(TrustcircleIds.CONVENTION_SERVICE)) {
            return null;
        }
        return new GroupAttributes(client.getClientId(), attributes.entrySet().stream()
                .filter(e -> e.getKey().startsWith("trustcircle.convention."))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))));
    }

    @Override
    public void executeOnEvent(ClientPolicyContext context) throws ClientPolicyException {
        ClientModel client = session.getContext().getClient();
        if (!EVENTS.contains(context.getEvent()) || client == null) {
            return;
        }
        GroupAttributes convention = convention(client);
        if (convention == null) {
            return;
        }
        String service = convention.values(TrustcircleIds.CONVENTION_SERVICE).get(0);
        ConventionDecision decision = ConventionPolicy.decide(service, List.of(convention),
                Instant.ofEpochMilli(Time.currentTimeMillis()));
        decision.warnings().forEach(w -> LOG.warnf("client %s: %s", client.getClientId(), w));
        if (!decision.allowed()) {
            String rule = decision.deniedBy().map(ConventionRule::code).orElse("no_convention");
            throw new ClientPolicyException(OAuthErrorException.UNAUTHORIZED_CLIENT,
                    "the convention of this application is not in force (rule: " + rule + ")");
        }
    }
}
