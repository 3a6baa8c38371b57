package eu.trustcircle.keycloak.habilitation;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import eu.trustcircle.keycloak.conventiongate.ConventionPolicy;

/**
 * Pure decision of what an agent's token or assertion carries for a service.
 *
 * <p>The convention allows the rubriques mapped to the agent's convention groups for the service
 * that grant now (verified, within their window: the same test as the convention gate). The
 * agent's organisation grants either by group membership alone (it asserts no list; the groups a
 * membership form names are the grant) or by asserting the agent's habilitations explicitly. The
 * result is the intersection: never a rubrique the convention does not allow now, even when the
 * organisation asserts more; never one the organisation did not grant the agent.
 */
public final class Habilitations {

    /** How both mappers (SAML and OIDC) appear in the admin console. */
    static final String DISPLAY_TYPE = "trustcircle: habilitations";
    static final String HELP_TEXT = "The rubriques of the client's service that the agent's valid conventions "
            + "allow and their organisation granted (never more than the convention allows now).";

    private Habilitations() {
    }

    /**
     * @param serviceId    the client's {@code trustcircle.service}
     * @param grants       the agent's effective groups with the service's roles mapped to each
     * @param homeAsserted the habilitations the organisation asserted for the agent, if it asserts any
     * @param now          the current instant
     * @return the rubriques to release, sorted, each once
     */
    public static List<String> granted(String serviceId, Collection<ConventionGrant> grants,
            Optional<? extends Collection<String>> homeAsserted, Instant now) {
        TreeSet<String> allowed = new TreeSet<>();
        for (ConventionGrant grant : grants) {
            if (!grant.rubriques().isEmpty()
                    && ConventionPolicy.decide(serviceId, List.of(grant.group()), now).allowed()) {
                allowed.addAll(grant.rubriques());
            }
        }
        homeAsserted.ifPresent(allowed::retainAll);
        return List.copyOf(allowed);
    }
}
