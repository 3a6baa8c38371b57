package eu.trustcircle.keycloak.conventiongate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.keycloak.authentication.AuthenticatorFactory;
import org.keycloak.models.AuthenticationExecutionModel.Requirement;

class ConventionGateAuthenticatorFactoryTest {

    private static final String SERVICE_FILE = "META-INF/services/" + AuthenticatorFactory.class.getName();

    private final ConventionGateAuthenticatorFactory factory = new ConventionGateAuthenticatorFactory();

    @Test
    void describesItself() {
        assertEquals("trustcircle-convention-gate", factory.getId());
        assertEquals("trustcircle: convention gate", factory.getDisplayType());
        assertFalse(factory.isConfigurable());
        assertFalse(factory.isUserSetupAllowed());
        assertArrayEquals(new Requirement[] {Requirement.REQUIRED, Requirement.DISABLED},
                factory.getRequirementChoices());
        assertTrue(factory.getHelpText().contains(TrustcircleIds.CLIENT_SERVICE));
        assertEquals(List.of(), factory.getConfigProperties());
    }

    @Test
    void createsAnAuthenticatorThatNeedsAUser() {
        ConventionGateAuthenticator authenticator =
                assertInstanceOf(ConventionGateAuthenticator.class, factory.create(null));
        assertTrue(authenticator.requiresUser());
        assertTrue(authenticator.configuredFor(null, null, null));
    }

    @Test
    void isRegisteredInServiceFile() throws IOException {
        boolean registered = false;
        for (URL url : Collections.list(getClass().getClassLoader().getResources(SERVICE_FILE))) {
            try (InputStream in = url.openStream()) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                registered |= text.lines().map(String::trim)
                        .anyMatch(ConventionGateAuthenticatorFactory.class.getName()::equals);
            }
        }
        assertTrue(registered, "factory missing from " + SERVICE_FILE);
    }
}
