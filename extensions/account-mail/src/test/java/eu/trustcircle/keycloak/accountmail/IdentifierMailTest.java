package eu.trustcircle.keycloak.accountmail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.keycloak.events.EventListenerProviderFactory;

class IdentifierMailTest {

    @Test
    void theMessageNamesTheIdentifierAndPromisesTheLinkSeparately() {
        IdentifierMail mail = IdentifierMail.of("Conseil départemental", "Camille", "agent-1", 24);
        assertEquals("Your identifier for Conseil départemental", mail.subject());
        assertTrue(mail.text().contains("Your identifier: agent-1"));
        assertTrue(mail.text().contains("separate message") && mail.text().contains("24 hours"));
        assertFalse(mail.text().contains("http"), "no link in the identifier's message");
    }

    @Test
    void htmlIsEscaped() {
        IdentifierMail mail = IdentifierMail.of("<Realm>", "<b>", "a&b", 24);
        assertTrue(mail.html().contains("&lt;Realm&gt;") && mail.html().contains("a&amp;b"));
        assertFalse(mail.html().contains("<b>,"));
    }

    @Test
    void theFactoryIsRegisteredUnderItsId() throws IOException {
        String file = "META-INF/services/" + EventListenerProviderFactory.class.getName();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(file)) {
            assertEquals(AccountMailListenerProviderFactory.class.getName(),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        assertEquals("trustcircle-account-mail", AccountMailListenerProviderFactory.PROVIDER_ID);
    }
}
