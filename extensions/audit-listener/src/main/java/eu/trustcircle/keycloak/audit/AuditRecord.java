package eu.trustcircle.keycloak.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One audit line: a flat JSON object with stable keys, absent values left out. Pure: built from
 * plain values so that its format is tested without a server.
 */
public final class AuditRecord {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> fields = new LinkedHashMap<>();

    private AuditRecord() {
    }

    /** A user event (login, token, error…). */
    public static AuditRecord user(long time, String realm, String type, String client, String user,
            String userSession, String ip, String error, Map<String, String> details, Correlation correlation) {
        AuditRecord record = new AuditRecord();
        record.put("time", Instant.ofEpochMilli(time).toString());
        record.put("kind", "user");
        record.put("transaction", correlation.transaction());
        record.put("sp_request", correlation.serviceRequest());
        record.put("realm", realm);
        record.put("type", type);
        record.put("client", client);
        record.put("user", user);
        record.put("user_session", userSession);
        record.put("ip", ip);
        record.put("error", error);
        if (details != null && !details.isEmpty()) {
            record.fields.put("details", new TreeMap<>(details));
        }
        return record;
    }

    /** An administrative change (who changed what, where). */
    public static AuditRecord admin(long time, String realm, String operation, String resourceType,
            String resourcePath, String authRealm, String authUser, String authClient, String ip, String error) {
        AuditRecord record = new AuditRecord();
        record.put("time", Instant.ofEpochMilli(time).toString());
        record.put("kind", "admin");
        record.put("realm", realm);
        record.put("operation", operation);
        record.put("resource_type", resourceType);
        record.put("resource_path", resourcePath);
        record.put("auth_realm", authRealm);
        record.put("auth_user", authUser);
        record.put("auth_client", authClient);
        record.put("ip", ip);
        record.put("error", error);
        return record;
    }

    /** An administrative change with its details (e.g. what the consistency rules changed and why). */
    public static AuditRecord admin(long time, String realm, String operation, String resourceType,
            String resourcePath, String authRealm, String authUser, String authClient, String ip, String error,
            Map<String, String> details) {
        AuditRecord record = admin(time, realm, operation, resourceType, resourcePath, authRealm, authUser, authClient,
                ip, error);
        if (details != null && !details.isEmpty()) {
            record.fields.put("details", new TreeMap<>(details));
        }
        return record;
    }

    private void put(String key, String value) {
        if (value != null && !value.isEmpty()) {
            fields.put(key, value);
        }
    }

    /** @return the record as one line of JSON (no line break inside) */
    public String toJson() {
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit record not serialisable", e);
        }
    }

    /** @return the fields, for tests */
    Map<String, Object> fields() {
        return Map.copyOf(fields);
    }
}
