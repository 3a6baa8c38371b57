package eu.trustcircle.keycloak.conventiongate;

import static eu.trustcircle.keycloak.conventiongate.TrustcircleIds.CONVENTION_SERVICE;
import static eu.trustcircle.keycloak.conventiongate.TrustcircleIds.CONVENTION_STATUS;
import static eu.trustcircle.keycloak.conventiongate.TrustcircleIds.CONVENTION_VALID_FROM;
import static eu.trustcircle.keycloak.conventiongate.TrustcircleIds.CONVENTION_VALID_UNTIL;
import static eu.trustcircle.keycloak.conventiongate.TrustcircleIds.STATUS_VERIFIED;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Pure decision logic of the convention gate, free of any Keycloak session.
 *
 * <p>A group is a convention group for a service when its {@code trustcircle.convention.service}
 * equals the service id. It grants access when its status is exactly {@code verified} and
 * {@code valid_from <= now < valid_until}. Convention groups with missing, repeated or
 * unparseable attributes never grant (fail closed) and produce a warning naming the group.
 * Access is allowed when at least one group grants; otherwise the most specific failure
 * (see the order of {@link ConventionRule}) is reported.
 */
public final class ConventionPolicy {

    private ConventionPolicy() {
    }

    /**
     * Decides whether a user whose effective groups are {@code groups} may reach a service.
     *
     * @param serviceId the client's {@code trustcircle.service}
     * @param groups    the user's effective groups (direct groups and their ancestors)
     * @param now       the current instant
     * @return allow, or the denying rule; with warnings about malformed convention groups
     */
    public static ConventionDecision decide(String serviceId, List<GroupAttributes> groups, Instant now) {
        Objects.requireNonNull(now, "now");
        List<String> warnings = new ArrayList<>();
        if (serviceId == null || serviceId.isBlank()) {
            warnings.add("client attribute " + TrustcircleIds.CLIENT_SERVICE + " is blank");
            return ConventionDecision.deny(ConventionRule.NO_CONVENTION, warnings);
        }
        boolean granted = false;
        ConventionRule mostSpecific = ConventionRule.NO_CONVENTION;
        for (GroupAttributes group : groups == null ? List.<GroupAttributes>of() : groups) {
            Verdict verdict = evaluate(serviceId, group, now);
            if (verdict.warning() != null) {
                warnings.add("convention group '" + group.name() + "' ignored: " + verdict.warning());
            }
            granted |= verdict.grants();
            if (verdict.rule() != null && verdict.rule().compareTo(mostSpecific) > 0) {
                mostSpecific = verdict.rule();
            }
        }
        return granted ? ConventionDecision.allow(warnings) : ConventionDecision.deny(mostSpecific, warnings);
    }

    private static Verdict evaluate(String serviceId, GroupAttributes group, Instant now) {
        List<String> services = group.values(CONVENTION_SERVICE);
        if (!services.contains(serviceId)) {
            return Verdict.NOT_APPLICABLE;
        }
        if (services.size() != 1) {
            return Verdict.malformed("attribute " + CONVENTION_SERVICE + " has " + services.size() + " values");
        }
        String problem = singleValueProblem(group, CONVENTION_STATUS);
        if (problem != null) {
            return Verdict.malformed(problem);
        }
        if (!STATUS_VERIFIED.equals(group.values(CONVENTION_STATUS).get(0))) {
            return Verdict.denied(ConventionRule.CONVENTION_NOT_VERIFIED);
        }
        return evaluateWindow(group, now);
    }

    private static Verdict evaluateWindow(GroupAttributes group, Instant now) {
        String problem = instantProblem(group, CONVENTION_VALID_FROM);
        if (problem == null) {
            problem = instantProblem(group, CONVENTION_VALID_UNTIL);
        }
        if (problem != null) {
            return Verdict.malformed(problem);
        }
        Instant from = Instant.parse(group.values(CONVENTION_VALID_FROM).get(0));
        Instant until = Instant.parse(group.values(CONVENTION_VALID_UNTIL).get(0));
        if (!from.isBefore(until)) {
            return Verdict.malformed(CONVENTION_VALID_FROM + " is not before " + CONVENTION_VALID_UNTIL);
        }
        if (now.isBefore(from)) {
            return Verdict.denied(ConventionRule.CONVENTION_NOT_YET_VALID);
        }
        if (!now.isBefore(until)) {
            return Verdict.denied(ConventionRule.CONVENTION_EXPIRED);
        }
        return Verdict.GRANTS;
    }

    private static String singleValueProblem(GroupAttributes group, String key) {
        int count = group.values(key).size();
        if (count == 0) {
            return "attribute " + key + " is missing";
        }
        return count == 1 ? null : "attribute " + key + " has " + count + " values";
    }

    private static String instantProblem(GroupAttributes group, String key) {
        String problem = singleValueProblem(group, key);
        if (problem != null) {
            return problem;
        }
        String value = group.values(key).get(0);
        try {
            Instant.parse(Objects.requireNonNullElse(value, ""));
            return null;
        } catch (DateTimeParseException e) {
            return "attribute " + key + " is not an ISO-8601 instant: '" + value + "'";
        }
    }

    /** What one group says: grants, denies by a rule, is malformed, or does not apply. */
    private record Verdict(boolean grants, ConventionRule rule, String warning) {
        static final Verdict NOT_APPLICABLE = new Verdict(false, null, null);
        static final Verdict GRANTS = new Verdict(true, null, null);

        static Verdict denied(ConventionRule rule) {
            return new Verdict(false, rule, null);
        }

        static Verdict malformed(String warning) {
            return new Verdict(false, null, warning);
        }
    }
}
