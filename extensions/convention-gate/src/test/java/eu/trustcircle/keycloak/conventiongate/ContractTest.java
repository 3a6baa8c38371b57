package eu.trustcircle.keycloak.conventiongate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

/**
 * The contract shared with provisioning (extensions/contract/convention-group.json): from the
 * attributes the Python compiler writes (checked on the Python side), the gate decides as written.
 */
class ContractTest {

    private static final Path CONTRACT = Path.of("..", "contract", "convention-group.json");

    @Test
    void theGateDecidesAsTheContractSays() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode contract = json.readTree(CONTRACT.toFile());
        Map<String, List<String>> attributes = json.convertValue(contract.get("group_attributes"),
                new TypeReference<Map<String, List<String>>>() { });
        GroupAttributes group = new GroupAttributes("contract", attributes);
        int checked = 0;
        for (JsonNode decision : contract.get("decisions")) {
            ConventionDecision made = ConventionPolicy.decide(decision.get("service").asText(), List.of(group),
                    Instant.parse(decision.get("now").asText()));
            String what = decision.toString();
            assertEquals(decision.get("allowed").asBoolean(), made.allowed(), what);
            Optional<String> rule = made.deniedBy().map(ConventionRule::code);
            assertEquals(Optional.ofNullable(decision.get("rule")).map(JsonNode::asText), rule, what);
            checked++;
        }
        assertEquals(5, checked);
    }
}
