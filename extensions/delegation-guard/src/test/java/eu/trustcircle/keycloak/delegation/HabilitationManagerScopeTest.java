package eu.trustcircle.keycloak.delegation;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HabilitationManagerScopeTest {

    @Test
    void readsAndMembershipChangesAreAllowed() {
        assertTrue(HabilitationManagerScope.allowed("GET", "users"));
        assertTrue(HabilitationManagerScope.allowed("GET", "users/u1/groups"));
        assertTrue(HabilitationManagerScope.allowed("PUT", "users/u1/groups/g1"));
        assertTrue(HabilitationManagerScope.allowed("DELETE", "users/u1/groups/g1"));
    }

    @Test
    void everyOtherWriteIsRefused() {
        assertFalse(HabilitationManagerScope.allowed("POST", "users"));
        assertFalse(HabilitationManagerScope.allowed("PUT", "users/u1"));
        assertFalse(HabilitationManagerScope.allowed("DELETE", "users/u1"));
        assertFalse(HabilitationManagerScope.allowed("PUT", "users/u1/reset-password"));
        assertFalse(HabilitationManagerScope.allowed("PUT", "users/u1/execute-actions-email"));
        assertFalse(HabilitationManagerScope.allowed("POST", "users/u1/impersonation"));
        assertFalse(HabilitationManagerScope.allowed("POST", "users/u1/role-mappings/realm"));
        assertFalse(HabilitationManagerScope.allowed("PUT", "users/u1/groups/g1/extra"));
        assertFalse(HabilitationManagerScope.allowed("POST", "users/u1/groups/g1"));
        assertFalse(HabilitationManagerScope.allowed("PUT", "groups/g1"));
        assertFalse(HabilitationManagerScope.allowed("PATCH", "users/u1/groups/g1"));
    }

    @Test
    void bearerAndDpopTokensAreBothRead() {
        org.junit.jupiter.api.Assertions.assertEquals("abc", HabilitationManagerScope.tokenOf("Bearer abc"));
        org.junit.jupiter.api.Assertions.assertEquals("abc", HabilitationManagerScope.tokenOf("DPoP  abc"));
        org.junit.jupiter.api.Assertions.assertNull(HabilitationManagerScope.tokenOf("Basic abc"));
        org.junit.jupiter.api.Assertions.assertNull(HabilitationManagerScope.tokenOf(null));
    }
}
