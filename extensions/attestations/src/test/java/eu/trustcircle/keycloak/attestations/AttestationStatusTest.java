package eu.trustcircle.keycloak.attestations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class AttestationStatusTest {

    private static final AttestationRecord HELD = new AttestationRecord(5, "urn:trustcircle:sp:cdap",
            List.of("adresse", "rsa"), 1000, 2000, null, null);

    @Test
    void theListIsTheDraftsOwnExampleWhenTheSameEntriesAreValid() {
        // the draft's 16 statuses 1,0,0,1,1,1,0,1,1,1,0,0,0,1,0,1: valid where 0
        assertEquals("eNrbuRgAAhcBXQ", StatusBits.encode(16, List.of(1, 2, 6, 10, 11, 12, 14)));
    }

    @Test
    void anEntryTwoAttestationsShareIsValidOnlyWhileBothAre() {
        assertEquals(java.util.Set.of(1, 3), StatusBits.validEntries(List.of(1, 2, 3), List.of(2)));
        assertEquals(java.util.Set.of(1), StatusBits.validEntries(List.of(1, 1), List.of()));
        assertEquals(java.util.Set.of(), StatusBits.validEntries(List.of(4), List.of(4, 9)));
    }

    @Test
    void everyEntryIsInvalidButThoseOfAttestationsInForce() throws Exception {
        java.util.Random random = new java.util.Random(7);
        java.util.Set<Integer> valid = new java.util.HashSet<>();
        while (valid.size() < 1000) {
            valid.add(random.nextInt(AttestationStore.CAPACITY));
        }
        byte[] compressed = java.util.Base64.getUrlDecoder().decode(StatusBits.encode(AttestationStore.CAPACITY, valid));
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(compressed);
        byte[] bits = new byte[AttestationStore.CAPACITY / 8];
        assertEquals(bits.length, inflater.inflate(bits));
        assertTrue(inflater.finished());
        for (int index = 0; index < AttestationStore.CAPACITY; index++) {
            boolean invalid = (bits[index / 8] >> (index % 8) & 1) == 1;
            assertEquals(!valid.contains(index), invalid, "entry " + index);
        }
    }

    @Test
    void anAttestationHoldsWhileItsRubriquesAreGrantedAndTheAccountIsEnabled() {
        assertNull(HELD.invalidity(1500, true, List.of("adresse", "famille", "rsa")));
        assertTrue(HELD.invalidity(1500, true, List.of("adresse")).contains("[rsa]"));
        assertTrue(HELD.invalidity(1500, false, List.of("adresse", "rsa")).contains("disabled"));
        assertEquals("expired", HELD.invalidity(2000, true, List.of("adresse", "rsa")));
        AttestationRecord revoked = HELD.revoked(1200, "revoked by admin: lost phone");
        assertEquals("revoked by admin: lost phone", revoked.invalidity(1500, true, List.of("adresse", "rsa")));
    }

    @Test
    void aRecordSurvivesItsJson() {
        assertEquals(HELD, AttestationStore.parse(AttestationStore.json(HELD)));
    }
}
