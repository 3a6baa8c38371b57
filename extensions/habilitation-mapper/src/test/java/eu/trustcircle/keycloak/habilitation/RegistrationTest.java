package eu.trustcircle.keycloak.habilitation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.ServiceLoader;

import org.junit.jupiter.api.Test;
import org.keycloak.protocol.ProtocolMapper;

import eu.trustcircle.keycloak.conventiongate.TrustcircleIds;

class RegistrationTest {

    @Test
    void bothMappersAreRegisteredUnderTheSharedIds() {
        List<String> ids = ServiceLoader.load(ProtocolMapper.class).stream()
                .map(p -> p.get().getId()).filter(id -> id.startsWith("trustcircle-")).sorted().toList();
        assertEquals(List.of(TrustcircleIds.OIDC_HABILITATION_MAPPER, TrustcircleIds.SAML_HABILITATION_MAPPER), ids);
    }

    @Test
    void protocolsAreTheRightOnes() {
        assertEquals("saml", new HabilitationSamlMapper().getProtocol());
        assertEquals("openid-connect", new HabilitationOidcMapper().getProtocol());
    }
}
