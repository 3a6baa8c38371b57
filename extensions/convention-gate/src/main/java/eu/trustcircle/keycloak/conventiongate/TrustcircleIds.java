package eu.trustcircle.keycloak.conventiongate;

/**
 * Stable identifiers of the convention gate: provider id, event codes and the attribute
 * contract shared with the realm configuration. Changing any value is a breaking change.
 */
public final class TrustcircleIds {

    /** Provider id of the authenticator, as referenced from authentication flows. */
    public static final String PROVIDER_ID = "trustcircle-convention-gate";

    /** Event error code emitted when the gate denies access. */
    public static final String ERROR_CONVENTION_DENIED = "trustcircle_convention_denied";
    /** Event detail naming the rule that denied access (see {@link ConventionRule}). */
    public static final String DETAIL_RULE = "trustcircle_rule";
    /** Event detail naming the service the user tried to reach. */
    public static final String DETAIL_SERVICE = "trustcircle_service";

    /** Client attribute holding the service id; a client without it is not gated. */
    public static final String CLIENT_SERVICE = "trustcircle.service";
    /** Group attribute: service id the convention covers. */
    public static final String CONVENTION_SERVICE = "trustcircle.convention.service";
    /** Group attribute: convention status; only {@link #STATUS_VERIFIED} grants. */
    public static final String CONVENTION_STATUS = "trustcircle.convention.status";
    /** Group attribute: ISO-8601 instant from which the convention is valid (inclusive). */
    public static final String CONVENTION_VALID_FROM = "trustcircle.convention.valid_from";
    /** Group attribute: ISO-8601 instant at which the convention ends (exclusive). */
    public static final String CONVENTION_VALID_UNTIL = "trustcircle.convention.valid_until";
    /** The only status value that grants access. */
    public static final String STATUS_VERIFIED = "verified";

    /** Provider id of the SAML attribute mapper releasing the habilitations. */
    public static final String SAML_HABILITATION_MAPPER = "trustcircle-habilitation-saml-mapper";
    /** Provider id of the OIDC claim mapper releasing the habilitations. */
    public static final String OIDC_HABILITATION_MAPPER = "trustcircle-habilitation-oidc-mapper";
    /**
     * User attribute of the provider realm holding the habilitations the agent's organisation
     * asserted at the last login (imported by the identity provider's mapper); absent when the
     * organisation asserts none.
     */
    public static final String HOME_HABILITATIONS = "trustcircle.home.habilitations";

    private TrustcircleIds() {
    }
}
