package eu.trustcircle.keycloak.conventiongate;

import static eu.trustcircle.keycloak.conventiongate.Fakes.group;
import static eu.trustcircle.keycloak.conventiongate.Fakes.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.models.GroupModel;

class EffectiveGroupsTest {

    private static List<String> names(List<GroupAttributes> groups) {
        return groups.stream().map(GroupAttributes::name).toList();
    }

    @Test
    void includesAncestorsOnceEach() {
        GroupModel org = group("org", null, Map.of("k", "v"));
        GroupModel unit = group("unit", org, Map.of());
        GroupModel teamA = group("team-a", unit, Map.of());
        GroupModel teamB = group("team-b", unit, Map.of());

        List<GroupAttributes> effective = EffectiveGroups.of(user(teamA, teamB));

        assertEquals(List.of("name-team-a (team-a)", "name-unit (unit)", "name-org (org)", "name-team-b (team-b)"),
                names(effective));
        assertEquals(List.of("v"), effective.get(2).values("k"));
    }

    @Test
    void doesNotIncludeChildrenOfDirectGroups() {
        GroupModel org = group("org", null, Map.of());
        group("child", org, Map.of());

        assertEquals(List.of("name-org (org)"), names(EffectiveGroups.of(user(org))));
    }

    @Test
    void userWithoutGroupsHasNone() {
        assertEquals(List.of(), EffectiveGroups.of(user()));
    }
}
