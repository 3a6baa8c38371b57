package eu.trustcircle.keycloak.consistency;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an access account must become so that it follows its root account (pure; the same rules as
 * {@code trustcircle consistency}, checked against the same vectors).
 *
 * <ul>
 * <li>a root account that is not active (disabled, archived, deleted) disables an enabled access
 *     account, records why, and ends its sessions; an access account disabled by someone else stays
 *     as it is;</li>
 * <li>an active root account re-enables only an access account these rules disabled;</li>
 * <li>the synchronised attributes take the root account's values (status and source included);
 *     for a deleted root account only the status changes: nothing is ever deleted.</li>
 * </ul>
 *
 * @param enable true: enable; false: disable; null: leave as it is
 * @param disabledBy the value of {@link ConsistencyIds#DISABLED} to write ("" removes it), or null
 * @param set attribute → new value ("" removes it)
 * @param endSessions whether the account's sessions end
 */
public record Reconciliation(Boolean enable, String disabledBy, Map<String, String> set, boolean endSessions) {

    public boolean changes() {
        return enable != null || disabledBy != null || !set.isEmpty() || endSessions;
    }

    public static Reconciliation of(HomeAccount home, AccessAccount access, List<String> synchronised) {
        Boolean enable = null;
        String disabledBy = null;
        boolean end = false;
        if (!HomeAccount.ACTIVE.equals(home.status())) {
            String reason = home.exists() ? "home account " + home.status() : "home account deleted";
            if (access.enabled()) {
                enable = false;
                disabledBy = reason;
                end = true;
            } else if (access.disabledBy() != null && !access.disabledBy().equals(reason)) {
                disabledBy = reason;
            }
        } else if (!access.enabled() && access.disabledBy() != null) {
            enable = true;
            disabledBy = "";
        }
        Map<String, String> set = new TreeMap<>();
        for (String name : synchronised) {
            String want = ConsistencyIds.STATUS.equals(name) ? home.status() : home.values().get(name);
            if (!home.exists() && !ConsistencyIds.STATUS.equals(name)) {
                continue;  // a deleted root account: only its status is known
            }
            String have = access.values().get(name);
            if (!Objects.equals(blank(want), blank(have))) {
                set.put(name, want == null ? "" : want);
            }
        }
        return new Reconciliation(enable, disabledBy, set, end);
    }

    private static String blank(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
