package eu.trustcircle.keycloak.consistency;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The rules against the vectors trustcircle's Python checker is tested against too. */
class ReconciliationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> vectors() throws IOException {
        try (InputStream in = ReconciliationTest.class.getResourceAsStream("/reconciliation-vectors.json")) {
            List<Arguments> cases = new ArrayList<>();
            JSON.readTree(in).forEach(v -> cases.add(Arguments.of(v.get("name").asText(), v)));
            return cases.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void followsTheRules(String name, JsonNode vector) {
        JsonNode home = vector.get("home");
        JsonNode access = vector.get("access");
        List<String> synchronised = new ArrayList<>();
        vector.get("synchronised").forEach(n -> synchronised.add(n.asText()));
        Reconciliation plan = Reconciliation.of(
                new HomeAccount(home.get("exists").asBoolean(), home.get("status").asText(), strings(home.get("values"))),
                new AccessAccount(access.get("enabled").asBoolean(), text(access.get("disabled_by")),
                        strings(access.get("values"))),
                synchronised);
        JsonNode expect = vector.get("expect");
        Boolean enable = expect.get("enable").isNull() ? null : expect.get("enable").asBoolean();
        assertEquals(enable, plan.enable(), name);
        assertEquals(text(expect.get("disabled_by")), plan.disabledBy(), name);
        assertEquals(strings(expect.get("set")), plan.set(), name);
        assertEquals(expect.get("end_sessions").asBoolean(), plan.endSessions(), name);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        return JSON.convertValue(node, JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class));
    }
}
