package eu.trustcircle.keycloak.attestations;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.EntityManager;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;

/**
 * Attestation records, each a stored credential of the agent's access account (exported and
 * backed up with the realm, deleted with the account), and the allocation of status-list indices:
 * random among those of the list nobody holds (the draft's advice: an index says nothing of when
 * or in which order attestations were issued).
 */
public final class AttestationStore {

    /** Entries of the realm's status list (1 bit each: 16 KiB before compression; 131,072 attestations). */
    public static final int CAPACITY = 1 << 17;
    private static final int ATTEMPTS = 64;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record with where it is kept. */
    public record Stored(String userId, String credentialId, AttestationRecord record) {
    }

    private AttestationStore() {
    }

    private static EntityManager em(KeycloakSession session) {
        return session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /** Every attestation record of the realm, in one query. */
    public static List<Stored> all(KeycloakSession session, RealmModel realm) {
        List<Object[]> rows = em(session).createQuery(
                "select c.user.id, c.id, c.credentialData from CredentialEntity c "
                        + "where c.user.realmId = :realm and c.type = :type", Object[].class)
                .setParameter("realm", realm.getId()).setParameter("type", AttestationRecord.TYPE)
                .getResultList();
        List<Stored> stored = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            stored.add(new Stored((String) row[0], (String) row[1], parse((String) row[2])));
        }
        return stored;
    }

    /** When the realm's newest attestation was issued (epoch milliseconds), 0 when there is none. */
    public static long newest(KeycloakSession session, RealmModel realm) {
        Long newest = em(session).createQuery("select max(c.createdDate) from CredentialEntity c "
                        + "where c.user.realmId = :realm and c.type = :type", Long.class)
                .setParameter("realm", realm.getId()).setParameter("type", AttestationRecord.TYPE).getSingleResult();
        return newest == null ? 0 : newest;
    }

    /** How many unexpired attestations of the service the agent holds (revoked or not). */
    public static long held(UserModel user, String serviceClient, long now) {
        return user.credentialManager().getStoredCredentialsByTypeStream(AttestationRecord.TYPE)
                .map(c -> parse(c.getCredentialData()))
                .filter(r -> r.serviceClient().equals(serviceClient) && r.expiresAt() > now).count();
    }

    /** Forgets an expired attestation's record: its entry may be given again (its holder's copy has
     * expired, which every verifier sees). */
    public static void purge(KeycloakSession session, RealmModel realm, Stored stored) {
        UserModel user = session.users().getUserById(realm, stored.userId());
        if (user != null) {
            user.credentialManager().removeStoredCredentialById(stored.credentialId());
        }
    }

    private static boolean taken(KeycloakSession session, RealmModel realm, int index) {
        return em(session).createQuery("select count(c) from CredentialEntity c where c.user.realmId = :realm "
                        + "and c.type = :type and c.userLabel = :label", Long.class)
                .setParameter("realm", realm.getId()).setParameter("type", AttestationRecord.TYPE)
                .setParameter("label", label(index)).getSingleResult() > 0;
    }

    static String label(int index) {
        return "status list entry " + index;
    }

    /** Records a new attestation of the agent, at a free index of the realm's status list. */
    public static AttestationRecord issue(KeycloakSession session, RealmModel realm, UserModel user, String serviceClient,
                                          List<String> rubriques, long issuedAt, long expiresAt) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int index = RANDOM.nextInt(CAPACITY);
            if (taken(session, realm, index)) {
                continue;
            }
            AttestationRecord record = new AttestationRecord(index, serviceClient, List.copyOf(rubriques), issuedAt,
                    expiresAt, null, null);
            CredentialModel credential = new CredentialModel();
            credential.setType(AttestationRecord.TYPE);
            credential.setUserLabel(label(index));
            credential.setCreatedDate(System.currentTimeMillis());
            credential.setSecretData("{}");
            credential.setCredentialData(json(record));
            user.credentialManager().createStoredCredential(credential);
            return record;
        }
        throw new IllegalStateException("no free entry in the status list after " + ATTEMPTS + " attempts");
    }

    /** Keeps a revocation (the record's data rewritten; the entry stays taken). */
    public static void save(KeycloakSession session, RealmModel realm, Stored stored, AttestationRecord record) {
        UserModel user = session.users().getUserById(realm, stored.userId());
        if (user == null) {
            return;
        }
        CredentialModel credential = user.credentialManager().getStoredCredentialById(stored.credentialId());
        if (credential != null) {
            credential.setCredentialData(json(record));
            user.credentialManager().updateStoredCredential(credential);
        }
    }

    static String json(AttestationRecord record) {
        try {
            return JSON.writeValueAsString(record);
        } catch (IOException err) {
            throw new IllegalStateException(err);
        }
    }

    static AttestationRecord parse(String json) {
        try {
            return JSON.readValue(json, AttestationRecord.class);
        } catch (IOException err) {
            throw new IllegalStateException("an attestation record is not readable: " + err.getMessage(), err);
        }
    }
}
