package eu.trustcircle.keycloak.assurance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HomeAssuranceMapperTest {

    @Test
    void anOrganisationAssertsAtMostWhatItsIdentitiesAreGoodFor() {
        assertEquals(1, HomeAssuranceMapper.capped(2, "1"));
        assertEquals(1, HomeAssuranceMapper.capped(1, "2"));
        assertEquals(0, HomeAssuranceMapper.capped(2, "0"));
    }

    @Test
    void noCeilingIsNoLimitAndAnUnreadableOneGrantsNothing() {
        assertEquals(2, HomeAssuranceMapper.capped(2, null));
        assertEquals(2, HomeAssuranceMapper.capped(2, " "));
        assertEquals(0, HomeAssuranceMapper.capped(2, "high"));
    }
}
