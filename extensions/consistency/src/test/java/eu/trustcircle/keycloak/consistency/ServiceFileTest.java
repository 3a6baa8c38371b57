package eu.trustcircle.keycloak.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ServiceFileTest {

    @Test
    void theListenerFactoryIsRegistered() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/services/org.keycloak.events.EventListenerProviderFactory")) {
            assertEquals(ConsistencyListenerProviderFactory.class.getName(),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    @Test
    void theAccountsResourceIsRegistered() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/services/org.keycloak.services.resource.RealmResourceProviderFactory")) {
            assertEquals(AccountsResourceProviderFactory.class.getName(),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    @Test
    void theResumingAuthenticatorIsRegistered() throws IOException {
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/services/org.keycloak.authentication.AuthenticatorFactory")) {
            assertEquals(ResumeFirstSignInFactory.class.getName(),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }
}
