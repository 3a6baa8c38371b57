package eu.trustcircle.keycloak.attestations;

import java.util.List;

/**
 * What an issued habilitation attestation said, kept with the agent's access account (a stored
 * credential of type {@link #TYPE}, its data this record as JSON): its index in the status list,
 * the service client whose rubriques it attests, the rubriques, when it was issued and until
 * when; and, once revoked, when and why (a revocation is never undone).
 */
public record AttestationRecord(int index, String serviceClient, List<String> rubriques, long issuedAt,
                                long expiresAt, Long revokedAt, String reason) {

    /** The stored credential type of an attestation record. */
    public static final String TYPE = "trustcircle-attestation";

    public AttestationRecord revoked(long at, String why) {
        return new AttestationRecord(index, serviceClient, rubriques, issuedAt, expiresAt, at, why);
    }

    /**
     * Why the attestation no longer holds now, or null while it does.
     *
     * @param enabled      whether the agent's access account is enabled
     * @param grantedNow   the rubriques of the service the agent's conventions grant now
     */
    public String invalidity(long now, boolean enabled, List<String> grantedNow) {
        if (revokedAt != null) {
            return reason;
        }
        if (now >= expiresAt) {
            return "expired";
        }
        if (!enabled) {
            return "the agent's access account is disabled";
        }
        if (!grantedNow.containsAll(rubriques)) {
            return "the agent no longer holds " + rubriques.stream().filter(r -> !grantedNow.contains(r)).toList()
                    + " under a convention in force";
        }
        return null;
    }
}
