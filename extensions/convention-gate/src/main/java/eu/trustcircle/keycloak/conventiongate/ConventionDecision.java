package eu.trustcircle.keycloak.conventiongate;

import java.util.List;
import java.util.Optional;

/**
 * Outcome of {@link ConventionPolicy#decide}: either allowed, or denied by one rule.
 * Warnings name convention groups that were ignored because they are malformed.
 *
 * @param deniedBy the denying rule, empty when access is allowed
 * @param warnings human-readable problems found in convention groups
 */
public record ConventionDecision(Optional<ConventionRule> deniedBy, List<String> warnings) {

    /** Normalises nulls and copies the warnings. */
    public ConventionDecision {
        deniedBy = deniedBy == null ? Optional.empty() : deniedBy;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** @return an allowing decision carrying {@code warnings} */
    public static ConventionDecision allow(List<String> warnings) {
        return new ConventionDecision(Optional.empty(), warnings);
    }

    /** @return a decision denied by {@code rule} carrying {@code warnings} */
    public static ConventionDecision deny(ConventionRule rule, List<String> warnings) {
        return new ConventionDecision(Optional.of(rule), warnings);
    }

    /** @return true when access is allowed */
    public boolean allowed() {
        return deniedBy.isEmpty();
    }
}
