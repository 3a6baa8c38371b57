package eu.trustcircle.keycloak.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

class UnfinishedFirstSignInTest {

    private static final UnfinishedFirstSignIn.Account LEFT =
            new UnfinishedFirstSignIn.Account("cd33.g-1f2e", true, 0, 0, 0, false);

    @Test
    void anAccountOnlyAnUnfinishedSignInCanHaveMadeIsTakenOver() {
        assertEquals(Optional.empty(), UnfinishedFirstSignIn.refusal("cd33", "username", LEFT));
        assertEquals(Optional.empty(), UnfinishedFirstSignIn.refusal("CD33", "username", LEFT));
    }

    @Test
    void aTakenEmailIsNeverAReason() {
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "email", LEFT).orElseThrow().contains("email"));
    }

    @Test
    void anAccountOutsideTheOrganisationsNamespaceIsRefused() {
        var local = new UnfinishedFirstSignIn.Account("cd33-g-1f2e", true, 0, 0, 0, false);
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username", local).orElseThrow().contains("namespace"));
        var other = new UnfinishedFirstSignIn.Account("cd3.3.g-1f2e", true, 0, 0, 0, false);
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username", other).isPresent());
    }

    @Test
    void anAccountSomebodyHoldsIsRefused() {
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username",
                new UnfinishedFirstSignIn.Account("cd33.g-1f2e", true, 1, 0, 0, false)).orElseThrow().contains("linked"));
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username",
                new UnfinishedFirstSignIn.Account("cd33.g-1f2e", true, 0, 1, 0, false)).orElseThrow().contains("credential"));
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username",
                new UnfinishedFirstSignIn.Account("cd33.g-1f2e", true, 0, 0, 2, false)).orElseThrow().contains("group"));
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username",
                new UnfinishedFirstSignIn.Account("cd33.g-1f2e", true, 0, 0, 0, true)).orElseThrow().contains("service"));
        assertTrue(UnfinishedFirstSignIn.refusal("cd33", "username",
                new UnfinishedFirstSignIn.Account("cd33.g-1f2e", false, 0, 0, 0, false)).orElseThrow().contains("disabled"));
    }
}
