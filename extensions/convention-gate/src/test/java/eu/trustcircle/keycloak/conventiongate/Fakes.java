package eu.trustcircle.keycloak.conventiongate;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import org.keycloak.models.GroupModel;
import org.keycloak.models.UserModel;

/**
 * Lenient test doubles for Keycloak interfaces, built with {@link Proxy}: listed methods
 * answer as told, any other method returns an empty or zero value.
 */
final class Fakes {

    private Fakes() {
    }

    /** Builds a fake of {@code type}; {@code answers} maps a method name to its answer. */
    static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> answers) {
        Object proxy = Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> {
                    Function<Object[], Object> answer = answers.get(method.getName());
                    if (answer != null) {
                        return answer.apply(args);
                    }
                    return switch (method.getName()) {
                        case "equals" -> self == args[0];
                        case "hashCode" -> System.identityHashCode(self);
                        case "toString" -> "fake " + type.getSimpleName();
                        default -> emptyValue(method.getReturnType());
                    };
                });
        return type.cast(proxy);
    }

    private static Object emptyValue(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class) {
            return type == int.class ? (Object) 0 : (Object) 0L;
        }
        if (type == Stream.class) {
            return Stream.empty();
        }
        if (type == List.class) {
            return List.of();
        }
        if (type == Set.class) {
            return Set.of();
        }
        return type == Map.class ? Map.of() : null;
    }

    /** A group with the given parent (may be null) and single-valued attributes. */
    static GroupModel group(String id, GroupModel parent, Map<String, String> attributes) {
        Map<String, List<String>> multi = new HashMap<>();
        attributes.forEach((k, v) -> multi.put(k, List.of(v)));
        return fake(GroupModel.class, Map.of(
                "getId", args -> id,
                "getName", args -> "name-" + id,
                "getParent", args -> parent,
                "getParentId", args -> parent == null ? null : parent.getId(),
                "getAttributes", args -> multi));
    }

    /** A user whose direct groups are {@code groups}. */
    static UserModel user(GroupModel... groups) {
        return fake(UserModel.class, Map.of(
                "getId", args -> "user-1",
                "getUsername", args -> "agent",
                "getGroupsStream", args -> Stream.of(groups)));
    }
}
