package eu.trustcircle.keycloak.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.representations.idm.UserRepresentation;

class ProviderAccountGuardTest {

    private static final AccessAccount CURRENT = new AccessAccount(true, null,
            Map.of("firstName", "Camille", "lastName", "Agent", "addressLine1", "1 rue du Port"));

    private static UserRepresentation update(String firstName, Map<String, List<String>> attributes) {
        UserRepresentation rep = new UserRepresentation();
        rep.setFirstName(firstName);
        rep.setAttributes(attributes);
        return rep;
    }

    @Test
    void aSynchronisedNameChangedAtTheProviderIsNamed() {
        assertEquals(List.of("firstName"), ProviderAccountGuard.changedSynchronised(List.of("firstName", "lastName"),
                CURRENT, update("Camilla", null), null));
    }

    @Test
    void leavingANameOutOrRepeatingItChangesNothing() {
        assertEquals(List.of(), ProviderAccountGuard.changedSynchronised(List.of("firstName"), CURRENT,
                update(null, null), null));
        assertEquals(List.of(), ProviderAccountGuard.changedSynchronised(List.of("firstName"), CURRENT,
                update("Camille", null), null));
    }

    @Test
    void anAttributeLeftOutOfAGivenMapWouldBeRemoved() {
        assertEquals(List.of("addressLine1"), ProviderAccountGuard.changedSynchronised(List.of("addressLine1"), CURRENT,
                update(null, Map.of()), null));
        assertEquals(List.of(), ProviderAccountGuard.changedSynchronised(List.of("addressLine1"), CURRENT,
                update(null, null), null));
    }

    @Test
    void whatIsNotSynchronisedMayChange() {
        assertEquals(List.of(), ProviderAccountGuard.changedSynchronised(List.of(), CURRENT,
                update("Camilla", Map.of()), null));
    }

    @Test
    void theRulesMarkerCannotBeRemovedByHand() {
        assertEquals(List.of(ConsistencyIds.DISABLED), ProviderAccountGuard.changedSynchronised(List.of(), CURRENT,
                update(null, Map.of()), "home account inactive"));
    }
}
