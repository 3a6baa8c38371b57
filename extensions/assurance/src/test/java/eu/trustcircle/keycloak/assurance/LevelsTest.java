package eu.trustcircle.keycloak.assurance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class LevelsTest {

    private static final String PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
    private static final String HIGH = "urn:trustcircle:loa:high";
    private final Levels levels = new Levels(Map.of(PASSWORD, 1, HIGH, 2));

    @Test
    void readsRequestedAndAssertedReferences() {
        assertEquals(Optional.of(2), levels.level(HIGH));
        assertEquals(Optional.empty(), levels.level("urn:elsewhere"));
        assertEquals(Optional.of(1), levels.requested(List.of(HIGH, PASSWORD)));  // the lowest acceptable
        assertEquals(Optional.of(2), levels.requested(List.of("urn:elsewhere", HIGH)));
        assertEquals(Optional.empty(), levels.requested(List.of("urn:elsewhere")));
    }

    @Test
    void namesTheLevelReachedNeverAHigherOne() {
        assertEquals(Optional.of(HIGH), levels.uri(2));
        assertEquals(Optional.of(HIGH), levels.uri(3));
        assertEquals(Optional.of(PASSWORD), levels.uri(1));
        assertEquals(Optional.empty(), levels.uri(0));
        assertEquals(-1, Levels.parse(null, -1));
        assertEquals(-1, Levels.parse("two", -1));
    }

    @Test
    void providersAreRegistered() throws IOException {
        assertTrue(registered("org.keycloak.authentication.AuthenticatorFactory", AssuranceGateFactory.class.getName()));
        assertTrue(registered("org.keycloak.authentication.AuthenticatorFactory",
                AssuranceGateFactory.AfterBroker.class.getName()));
        assertTrue(registered("org.keycloak.broker.provider.IdentityProviderMapper", HomeAssuranceMapper.class.getName()));
        assertTrue(registered("org.keycloak.protocol.saml.preprocessor.SamlAuthenticationPreprocessor",
                AssurancePreprocessor.class.getName()));
    }

    private static boolean registered(String spi, String implementation) throws IOException {
        for (URL url : Collections.list(LevelsTest.class.getClassLoader().getResources("META-INF/services/" + spi))) {
            try (InputStream in = url.openStream()) {
                if (new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                        .anyMatch(implementation::equals)) {
                    return true;
                }
            }
        }
        return false;
    }
}
