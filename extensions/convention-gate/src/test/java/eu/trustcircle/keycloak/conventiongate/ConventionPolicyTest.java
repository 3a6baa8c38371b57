package eu.trustcircle.keycloak.conventiongate;

import static eu.trustcircle.keycloak.conventiongate.ConventionRule.CONVENTION_EXPIRED;
import static eu.trustcircle.keycloak.conventiongate.ConventionRule.CONVENTION_NOT_VERIFIED;
import static eu.trustcircle.keycloak.conventiongate.ConventionRule.CONVENTION_NOT_YET_VALID;
import static eu.trustcircle.keycloak.conventiongate.ConventionRule.NO_CONVENTION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConventionPolicyTest {

    private static final String SERVICE = "tax-portal";
    private static final Instant NOW = Instant.parse("2025-06-15T12:00:00Z");
    private static final String FROM = "2025-01-01T00:00:00Z";
    private static final String UNTIL = "2026-01-01T00:00:00Z";

    /** A convention group; a null argument leaves that attribute out. */
    static GroupAttributes group(String name, String service, String status, String from, String until) {
        Map<String, List<String>> attributes = new HashMap<>();
        put(attributes, TrustcircleIds.CONVENTION_SERVICE, service);
        put(attributes, TrustcircleIds.CONVENTION_STATUS, status);
        put(attributes, TrustcircleIds.CONVENTION_VALID_FROM, from);
        put(attributes, TrustcircleIds.CONVENTION_VALID_UNTIL, until);
        return new GroupAttributes(name, attributes);
    }

    private static void put(Map<String, List<String>> attributes, String key, String value) {
        if (value != null) {
            attributes.put(key, List.of(value));
        }
    }

    private static GroupAttributes verified(String from, String until) {
        return group("org-a", SERVICE, "verified", from, until);
    }

    /** name, single group, expected rule (null = allowed), expected number of warnings. */
    static Stream<Arguments> singleGroupTable() {
        return Stream.of(
                Arguments.of("verified, inside window", verified(FROM, UNTIL), null, 0),
                Arguments.of("verified, exactly at valid_from (inclusive)", verified("2025-06-15T12:00:00Z", UNTIL), null, 0),
                Arguments.of("verified, offset notation", verified("2025-06-15T13:00:00+01:00", UNTIL), null, 0),
                Arguments.of("verified, exactly at valid_until (exclusive)", verified(FROM, "2025-06-15T12:00:00Z"), CONVENTION_EXPIRED, 0),
                Arguments.of("expired", verified("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"), CONVENTION_EXPIRED, 0),
                Arguments.of("not yet valid", verified("2025-07-01T00:00:00Z", UNTIL), CONVENTION_NOT_YET_VALID, 0),
                Arguments.of("draft", group("org-a", SERVICE, "draft", FROM, UNTIL), CONVENTION_NOT_VERIFIED, 0),
                Arguments.of("rejected", group("org-a", SERVICE, "rejected", FROM, UNTIL), CONVENTION_NOT_VERIFIED, 0),
                Arguments.of("terminated", group("org-a", SERVICE, "terminated", FROM, UNTIL), CONVENTION_NOT_VERIFIED, 0),
                Arguments.of("status is case-sensitive", group("org-a", SERVICE, "Verified", FROM, UNTIL), CONVENTION_NOT_VERIFIED, 0),
                Arguments.of("draft without dates", group("org-a", SERVICE, "draft", null, null), CONVENTION_NOT_VERIFIED, 0),
                Arguments.of("wrong service", group("org-a", "other-service", "verified", FROM, UNTIL), NO_CONVENTION, 0),
                Arguments.of("no convention attributes", group("plain", null, null, null, null), NO_CONVENTION, 0),
                Arguments.of("status missing", group("org-a", SERVICE, null, FROM, UNTIL), NO_CONVENTION, 1),
                Arguments.of("valid_from malformed", verified("2025-13-01T00:00:00Z", UNTIL), NO_CONVENTION, 1),
                Arguments.of("valid_from date only", verified("2025-01-01", UNTIL), NO_CONVENTION, 1),
                Arguments.of("valid_until malformed", verified(FROM, "soon"), NO_CONVENTION, 1),
                Arguments.of("valid_until missing", verified(FROM, null), NO_CONVENTION, 1),
                Arguments.of("valid_from empty", verified("", UNTIL), NO_CONVENTION, 1),
                Arguments.of("empty window", verified(UNTIL, FROM), NO_CONVENTION, 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("singleGroupTable")
    void decidesSingleGroup(String name, GroupAttributes group, ConventionRule expected, int warnings) {
        ConventionDecision decision = ConventionPolicy.decide(SERVICE, List.of(group), NOW);

        assertEquals(Optional.ofNullable(expected), decision.deniedBy());
        assertEquals(expected == null, decision.allowed());
        assertEquals(warnings, decision.warnings().size(), () -> "warnings: " + decision.warnings());
        decision.warnings().forEach(w -> assertTrue(w.contains("'org-a'"), w));
    }

    @Test
    void oneGrantingGroupAmongSeveralAllows() {
        List<GroupAttributes> groups = List.of(
                group("expired", SERVICE, "verified", "2024-01-01T00:00:00Z", FROM),
                group("draft", SERVICE, "draft", FROM, UNTIL),
                group("broken", SERVICE, "verified", "yesterday", UNTIL),
                group("other", "other-service", "verified", FROM, UNTIL),
                group("good", SERVICE, "verified", FROM, UNTIL));

        ConventionDecision decision = ConventionPolicy.decide(SERVICE, groups, NOW);

        assertTrue(decision.allowed());
        assertEquals(1, decision.warnings().size());
        assertTrue(decision.warnings().get(0).contains("'broken'"));
    }

    @Test
    void mostSpecificRuleIsReported() {
        GroupAttributes draft = group("draft", SERVICE, "draft", FROM, UNTIL);
        GroupAttributes expired = group("expired", SERVICE, "verified", "2024-01-01T00:00:00Z", FROM);
        GroupAttributes future = group("future", SERVICE, "verified", "2025-07-01T00:00:00Z", UNTIL);

        assertEquals(Optional.of(CONVENTION_EXPIRED),
                ConventionPolicy.decide(SERVICE, List.of(draft, expired), NOW).deniedBy());
        assertEquals(Optional.of(CONVENTION_NOT_YET_VALID),
                ConventionPolicy.decide(SERVICE, List.of(future, expired, draft), NOW).deniedBy());
    }

    @Test
    void noGroupsMeansNoConvention() {
        assertEquals(Optional.of(NO_CONVENTION), ConventionPolicy.decide(SERVICE, List.of(), NOW).deniedBy());
    }

    @Test
    void repeatedAttributeValuesFailClosed() {
        GroupAttributes twoServices = new GroupAttributes("multi", Map.of(
                TrustcircleIds.CONVENTION_SERVICE, List.of(SERVICE, "other-service"),
                TrustcircleIds.CONVENTION_STATUS, List.of("verified"),
                TrustcircleIds.CONVENTION_VALID_FROM, List.of(FROM),
                TrustcircleIds.CONVENTION_VALID_UNTIL, List.of(UNTIL)));
        GroupAttributes twoStatuses = new GroupAttributes("statuses", Map.of(
                TrustcircleIds.CONVENTION_SERVICE, List.of(SERVICE),
                TrustcircleIds.CONVENTION_STATUS, List.of("verified", "terminated"),
                TrustcircleIds.CONVENTION_VALID_FROM, List.of(FROM),
                TrustcircleIds.CONVENTION_VALID_UNTIL, List.of(UNTIL)));

        ConventionDecision decision = ConventionPolicy.decide(SERVICE, List.of(twoServices, twoStatuses), NOW);

        assertEquals(Optional.of(NO_CONVENTION), decision.deniedBy());
        assertEquals(2, decision.warnings().size());
    }

    @Test
    void blankServiceIdGrantsNothing() {
        ConventionDecision decision = ConventionPolicy.decide(" ", List.of(group("g", " ", "verified", FROM, UNTIL)), NOW);

        assertEquals(Optional.of(NO_CONVENTION), decision.deniedBy());
        assertEquals(1, decision.warnings().size());
    }
}
