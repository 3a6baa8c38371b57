package eu.trustcircle.keycloak.temporarypassword;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import org.junit.jupiter.api.Test;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;

class TemporaryPasswordTest {

    private static final long HOUR = 3_600_000L;

    @Test
    void expiresAtTheValidityNotBefore() {
        assertFalse(TemporaryPassword.expired(0L, 24 * HOUR - 1, 24));
        assertTrue(TemporaryPassword.expired(0L, 24 * HOUR, 24));
        assertFalse(TemporaryPassword.expired(null, 100 * HOUR, 24));
    }

    @Test
    void validityFallsBackToTheDocumentsFigure() {
        assertEquals(48, TemporaryPassword.validityHours("48"));
        assertEquals(24, TemporaryPassword.validityHours(null));
        assertEquals(24, TemporaryPassword.validityHours("0"));
        assertEquals(24, TemporaryPassword.validityHours("soon"));
    }

    private static AdminEvent event(OperationType operation, String path) {
        AdminEvent event = new AdminEvent();
        event.setResourceType(ResourceType.USER);
        event.setOperationType(operation);
        event.setResourcePath(path);
        return event;
    }

    @Test
    void marksOnCreationAndPasswordReset() {
        assertEquals("u1", TemporaryPasswordMarker.userOf(event(OperationType.CREATE, "users/u1")));
        assertEquals("u1", TemporaryPasswordMarker.userOf(event(OperationType.ACTION, "users/u1/reset-password")));
        assertNull(TemporaryPasswordMarker.userOf(event(OperationType.ACTION, "users/u1/reset-password-email")));
        assertNull(TemporaryPasswordMarker.userOf(event(OperationType.UPDATE, "users/u1")));
        assertNull(TemporaryPasswordMarker.userOf(event(OperationType.CREATE, "users/u1/groups/g1")));
        AdminEvent refused = event(OperationType.ACTION, "users/u1/reset-password");
        refused.setError("forbidden");
        assertNull(TemporaryPasswordMarker.userOf(refused));
    }

    private static boolean registered(Class<?> spi, String implementation) throws IOException {
        for (URL url : Collections.list(TemporaryPasswordTest.class.getClassLoader()
                .getResources("META-INF/services/" + spi.getName()))) {
            try (InputStream in = url.openStream()) {
                if (new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                        .anyMatch(implementation::equals)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void factoriesAreRegistered() throws IOException {
        assertTrue(registered(AuthenticatorFactory.class, TemporaryPasswordExpiryFactory.class.getName()));
        assertTrue(registered(AuthenticatorFactory.class, TemporaryPasswordExpiryFactory.DirectGrant.class.getName()));
        assertTrue(registered(EventListenerProviderFactory.class, TemporaryPasswordMarkerFactory.class.getName()));
        assertEquals("trustcircle-temp-password-expiry-dg", new TemporaryPasswordExpiryFactory.DirectGrant().getId());
    }
}
