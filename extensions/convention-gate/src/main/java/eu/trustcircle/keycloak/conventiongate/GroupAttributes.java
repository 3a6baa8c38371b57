package eu.trustcircle.keycloak.conventiongate;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A group as the convention policy sees it: a name (for warnings) and its attributes,
 * detached from any Keycloak session.
 *
 * @param name       group name or path, used only in log messages
 * @param attributes the group's attributes, each possibly multi-valued
 */
public record GroupAttributes(String name, Map<String, List<String>> attributes) {

    /** Copies the attributes so later changes to the source cannot affect a decision. */
    public GroupAttributes {
        Objects.requireNonNull(name, "name");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** @return every value of {@code key}, empty if absent */
    public List<String> values(String key) {
        List<String> values = attributes.get(key);
        return values == null ? List.of() : values;
    }
}
