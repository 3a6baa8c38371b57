package eu.trustcircle.keycloak.habilitation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import eu.trustcircle.keycloak.conventiongate.GroupAttributes;

class HabilitationsTest {

    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private static ConventionGrant group(String service, String status, String from, String until,
            String... rubriques) {
        Map<String, List<String>> attributes = new HashMap<>();
        attributes.put("trustcircle.convention.service", List.of(service));
        attributes.put("trustcircle.convention.status", List.of(status));
        attributes.put("trustcircle.convention.valid_from", List.of(from));
        attributes.put("trustcircle.convention.valid_until", List.of(until));
        return new ConventionGrant(new GroupAttributes(service + "-" + status, attributes), Set.of(rubriques));
    }

    private static ConventionGrant active(String service, String... rubriques) {
        return group(service, "verified", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", rubriques);
    }

    @Test
    void withoutAHomeListTheConventionsRubriquesAreReleased() {
        assertEquals(List.of("adresse", "dossier"),
                Habilitations.granted("cdap", List.of(active("cdap", "dossier", "adresse")), Optional.empty(), NOW));
    }

    @Test
    void aHomeListIsIntersectedNeverExtended() {
        List<String> granted = Habilitations.granted("cdap", List.of(active("cdap", "dossier", "adresse")),
                Optional.of(List.of("dossier", "creances")), NOW);
        assertEquals(List.of("dossier"), granted);
    }

    @Test
    void anEmptyHomeListReleasesNothing() {
        assertEquals(List.of(), Habilitations.granted("cdap", List.of(active("cdap", "dossier")),
                Optional.of(List.of()), NOW));
    }

    @Test
    void anExpiredOrFutureOrUnverifiedConventionReleasesNothing() {
        List<ConventionGrant> groups = List.of(
                group("cdap", "verified", "2025-01-01T00:00:00Z", "2026-11-23T10:00:00Z", "dossier"),
                group("cdap", "verified", "2026-11-23T10:00:01Z", "2027-01-01T00:00:00Z", "droits"),
                group("cdap", "draft", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "adresse"));
        assertEquals(List.of(), Habilitations.granted("cdap", groups, Optional.empty(), NOW));
    }

    @Test
    void onlyTheGroupsOfThisServiceCount() {
        List<ConventionGrant> groups = List.of(active("cdap", "dossier"), active("aides", "demandes"));
        assertEquals(List.of("demandes"), Habilitations.granted("aides", groups, Optional.empty(), NOW));
    }

    @Test
    void severalValidGroupsAreUnitedAndAMalformedOneIgnored() {
        ConventionGrant malformed = group("cdap", "verified", "not-a-date", "2027-01-01T00:00:00Z", "creances");
        List<ConventionGrant> groups = List.of(active("cdap", "dossier"), active("cdap", "rsa", "dossier"), malformed);
        assertEquals(List.of("dossier", "rsa"), Habilitations.granted("cdap", groups, Optional.empty(), NOW));
    }

    @Test
    void groupsWithoutRolesOfTheServiceAddNothing() {
        ConventionGrant organisation = new ConventionGrant(new GroupAttributes("cd33", Map.of()), Set.of());
        assertEquals(List.of("dossier"),
                Habilitations.granted("cdap", List.of(organisation, active("cdap", "dossier")), Optional.empty(), NOW));
    }
}
