package eu.trustcircle.keycloak.attestations;

import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.Deflater;

/**
 * A Token Status List of one bit per attestation (draft-ietf-oauth-status-list): index {@code i}
 * in bit {@code i % 8} (least significant first) of byte {@code i / 8}; 0 valid, 1 invalid. Every
 * entry is invalid unless an attestation in force holds it: an index nobody was given, or whose
 * record is gone, is never valid.
 */
public final class StatusBits {

    private StatusBits() {
    }

    /**
     * The entries to publish valid: those an attestation in force holds, less any that an
     * invalid one holds too. Two attestations get the same entry only if two nodes issue at the
     * same instant and draw the same index (the check for a free entry and the record are not one
     * atomic step): then a revocation of either must not be hidden by the other, so both read invalid.
     */
    public static Set<Integer> validEntries(Collection<Integer> inForce, Collection<Integer> invalid) {
        Set<Integer> valid = new HashSet<>(inForce);
        valid.removeAll(new HashSet<>(invalid));
        return valid;
    }

    /** @return the list's {@code lst}: ZLIB (DEFLATE, best compression), base64url without padding */
    public static String encode(int capacity, Collection<Integer> valid) {
        byte[] bits = new byte[(capacity + 7) / 8];
        java.util.Arrays.fill(bits, (byte) 0xFF);
        if (capacity % 8 != 0) {
            bits[bits.length - 1] = (byte) ((1 << (capacity % 8)) - 1);
        }
        for (int index : valid) {
            if (index < 0 || index >= capacity) {
                throw new IllegalArgumentException("index " + index + " outside the list of " + capacity);
            }
            bits[index / 8] &= (byte) ~(1 << (index % 8));
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
        deflater.setInput(bits);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
    }
}
