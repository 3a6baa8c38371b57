package eu.trustcircle.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.events.admin.OperationType;

class ForbiddenAdminRequestFilterTest {

    @Test
    void aRefusedRequestBecomesAnAdminEventWithItsCaller() {
        AuthDetails caller = new AuthDetails();
        caller.setUserId("u-1");
        AdminEvent event = ForbiddenAdminRequestFilter.event("PUT", "users/u-2/groups/g-1", caller);
        assertEquals(OperationType.UPDATE, event.getOperationType());
        assertEquals("FORBIDDEN_ADMIN_REQUEST", event.getResourceTypeAsString());
        assertEquals("forbidden", event.getError());
        assertEquals("users/u-2/groups/g-1", event.getResourcePath());
        assertEquals("u-1", event.getAuthDetails().getUserId());
        assertEquals("403", event.getDetails().get("status"));
        assertEquals(OperationType.CREATE, ForbiddenAdminRequestFilter.event("POST", "x", caller).getOperationType());
        assertEquals(OperationType.ACTION, ForbiddenAdminRequestFilter.event("GET", "x", caller).getOperationType());
    }
}
