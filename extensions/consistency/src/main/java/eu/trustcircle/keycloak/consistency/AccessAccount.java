package eu.trustcircle.keycloak.consistency;

import java.util.Map;

/**
 * An access account at a provider as the rules see it.
 *
 * @param enabled whether it may sign in
 * @param disabledBy why the rules disabled it, or null if they did not
 * @param values base attribute name → current value (absent: none)
 */
public record AccessAccount(boolean enabled, String disabledBy, Map<String, String> values) {
}
