package eu.trustcircle.keycloak.consistency;

import java.util.Map;

/**
 * What the root account at home says of an agent: whether it still exists, its status and the
 * values of its base attributes (by their name on the access account).
 *
 * @param exists false once the root account is deleted
 * @param status {@code active}, {@code inactive} (disabled) or {@code archived} (archived or deleted)
 * @param values base attribute name on the access account → value at home (absent: none)
 */
public record HomeAccount(boolean exists, String status, Map<String, String> values) {

    public static final String ACTIVE = "active";
    public static final String INACTIVE = "inactive";
    public static final String ARCHIVED = "archived";

    /** A root account that no longer exists: archived, and nothing else is known. */
    public static HomeAccount deleted() {
        return new HomeAccount(false, ARCHIVED, Map.of());
    }

    /** The status of an existing root account. */
    public static String statusOf(boolean enabled, String homeStatus) {
        if (ARCHIVED.equals(homeStatus)) {
            return ARCHIVED;
        }
        return enabled ? ACTIVE : INACTIVE;
    }

    /** The source system of an identity whose root account is in Keycloak realm {@code realm}. */
    public static String sourceOf(String realm) {
        return "keycloak/" + realm;
    }
}
