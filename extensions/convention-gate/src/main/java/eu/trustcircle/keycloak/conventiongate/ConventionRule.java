package eu.trustcircle.keycloak.conventiongate;

/**
 * Rules by which the convention gate denies access, ordered from least to most specific:
 * when several convention groups fail, the most specific failure is reported.
 */
public enum ConventionRule {

    /** No well-formed convention group covers the service. */
    NO_CONVENTION("no_convention"),
    /** A convention covers the service but its status is not {@code verified}. */
    CONVENTION_NOT_VERIFIED("convention_not_verified"),
    /** A verified convention covers the service but its validity has ended. */
    CONVENTION_EXPIRED("convention_expired"),
    /** A verified convention covers the service but is not valid yet. */
    CONVENTION_NOT_YET_VALID("convention_not_yet_valid");

    private final String code;

    ConventionRule(String code) {
        this.code = code;
    }

    /** @return the stable code used in events and messages, e.g. {@code no_convention} */
    public String code() {
        return code;
    }
}
