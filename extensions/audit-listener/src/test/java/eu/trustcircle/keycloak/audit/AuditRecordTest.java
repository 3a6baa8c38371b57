package eu.trustcircle.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditRecordTest {

    @Test
    void aUserEventIsOneFlatLineWithItsCorrelation() {
        String line = AuditRecord.user(1_700_000_000_000L, "cnaf", "IDENTITY_PROVIDER_POST_LOGIN_ERROR",
                "urn:trustcircle:sp:cdap", "u-1", null, "127.0.0.1", "trustcircle_convention_denied",
                Map.of("trustcircle_rule", "convention_expired", "identity_provider", "cd33"),
                Correlation.fromNotes("ID_broker", "id-sp")).toJson();
        assertEquals("{\"time\":\"2023-11-14T22:13:20Z\",\"kind\":\"user\",\"transaction\":\"ID_broker\","
                + "\"sp_request\":\"id-sp\",\"realm\":\"cnaf\",\"type\":\"IDENTITY_PROVIDER_POST_LOGIN_ERROR\","
                + "\"client\":\"urn:trustcircle:sp:cdap\",\"user\":\"u-1\",\"ip\":\"127.0.0.1\","
                + "\"error\":\"trustcircle_convention_denied\",\"details\":{\"identity_provider\":\"cd33\","
                + "\"trustcircle_rule\":\"convention_expired\"}}", line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void atHomeTheReceivedRequestIsTheTransaction() {
        Correlation home = Correlation.fromNotes(null, "ID_broker");
        assertEquals(new Correlation("ID_broker", null), home);
        assertEquals(new Correlation(null, null), Correlation.fromNotes(null, null));
    }

    @Test
    void anAdminEventSaysWhoChangedWhat() {
        Map<String, Object> fields = AuditRecord.admin(0L, "cnaf", "UPDATE", "GROUP", "groups/1", "master",
                "admin-id", "admin-cli", "127.0.0.1", null).fields();
        assertEquals("UPDATE", fields.get("operation"));
        assertEquals("groups/1", fields.get("resource_path"));
        assertFalse(fields.containsKey("error"));
    }

    @Test
    void theFileSinkAppendsLinesToAPrivateFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit").resolve("events.jsonl");
        AuditSink sink = new AuditSink(file);
        sink.write("{\"a\":1}");
        sink.write("{\"a\":2}");
        assertEquals(List.of("{\"a\":1}", "{\"a\":2}"), Files.readAllLines(file));
        assertTrue(Files.getPosixFilePermissions(file).equals(PosixFilePermissions.fromString("rw-------")));
    }
}
