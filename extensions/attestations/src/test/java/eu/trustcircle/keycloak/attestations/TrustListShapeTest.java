package eu.trustcircle.keycloak.attestations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/** What PUT trust-list takes: a compact JWS of the trust list's type, with its sequence number. */
class TrustListShapeTest {

    private static String token(String type, Map<String, Object> claims) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString(json.writeValueAsBytes(Map.of("alg", "ES256", "typ", type))) + "."
                + base64.encodeToString(json.writeValueAsBytes(claims)) + ".c2lnbmF0dXJl";
    }

    @Test
    void aTrustListGivesItsSequence() throws Exception {
        assertEquals(1765000000L, AttestationsResource.sequence(
                token(AttestationsResource.TRUST_LIST_TYPE, Map.of("iss", "fed", "sequence", 1765000000L))));
    }

    @Test
    void anythingElseIsRefusedSayingWhy() throws Exception {
        String other = token("statuslist+jwt", Map.of("sequence", 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttestationsResource.sequence(other))
                .getMessage().contains("not " + AttestationsResource.TRUST_LIST_TYPE));
        String unnumbered = token(AttestationsResource.TRUST_LIST_TYPE, Map.of("iss", "fed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AttestationsResource.sequence(unnumbered))
                .getMessage().contains("no sequence"));
        for (String junk : new String[] {"", "not a token", "a.b", "x.y.z", "e30.e30.", "a".repeat(300_000)}) {
            assertThrows(IllegalArgumentException.class, () -> AttestationsResource.sequence(junk), junk);
        }
    }
}
