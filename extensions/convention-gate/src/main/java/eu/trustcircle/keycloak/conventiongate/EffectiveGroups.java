package eu.trustcircle.keycloak.conventiongate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.keycloak.models.GroupModel;
import org.keycloak.models.UserModel;

/**
 * Effective group membership as Keycloak uses it for role inheritance: the user's direct
 * groups plus every ancestor of them (a member of {@code /org/team} is also a member of
 * {@code /org}).
 */
public final class EffectiveGroups {

    private EffectiveGroups() {
    }

    /**
     * @param user the user, not null
     * @return each effective group once (by id), direct groups first, as policy input
     */
    public static List<GroupAttributes> of(UserModel user) {
        Map<String, GroupModel> byId = new LinkedHashMap<>();
        user.getGroupsStream().forEach(group -> addWithAncestors(group, byId));
        List<GroupAttributes> result = new ArrayList<>(byId.size());
        for (GroupModel group : byId.values()) {
            result.add(new GroupAttributes(describe(group), group.getAttributes()));
        }
        return result;
    }

    private static void addWithAncestors(GroupModel group, Map<String, GroupModel> byId) {
        // putIfAbsent stops the walk at a group already seen, which also guards against cycles.
        for (GroupModel g = group; g != null && byId.putIfAbsent(g.getId(), g) == null; g = g.getParent()) {
            // walk up to the root
        }
    }

    private static String describe(GroupModel group) {
        return group.getName() + " (" + group.getId() + ")";
    }
}
