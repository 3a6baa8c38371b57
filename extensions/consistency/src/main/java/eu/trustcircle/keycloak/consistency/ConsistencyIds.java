package eu.trustcircle.keycloak.consistency;

/**
 * Identifiers shared with trustcircle's compiler and checker (trustcircle/ids.py; a test checks
 * they agree). Changing a value is a breaking change.
 */
public final class ConsistencyIds {

    /** Realm attribute of an organisation's realm: the organisation's id (its IdP alias at the providers). */
    public static final String ORGANISATION = "trustcircle.organisation";
    /** Realm attribute: the federation a realm belongs to. */
    public static final String FEDERATION = "trustcircle.federation";
    /** IdP config: the access-account attributes that flow from home, comma-separated (empty: none). */
    public static final String ATTRIBUTES = "trustcircle.consistency.attributes";
    /** Access account attribute: why the consistency rules disabled it (absent: they did not). */
    public static final String DISABLED = "trustcircle.consistency.disabled";
    /** Access account attribute: active, inactive or archived, as the root account at home. */
    public static final String STATUS = "trustcircle.status";
    /** Access account attribute: the system the identity comes from. */
    public static final String SOURCE = "trustcircle.source";
    /** Root account attribute: {@code archived} archives the account. */
    public static final String HOME_STATUS = "status";
    /** Prefix of the home user attributes holding the persistent NameID given to each SAML client. */
    public static final String PERSISTENT_NAME_ID_PREFIX = "saml.persistent.name.id.for.";
    /** Admin event resource type of what the rules changed at a provider (in the audit trail). */
    public static final String RESOURCE_TYPE = "TRUSTCIRCLE_CONSISTENCY";
    /** Authenticator of the provider's first-broker-login flow: resumes an unfinished first sign-in. */
    public static final String RESUME_FIRST_SIGN_IN = "trustcircle-resume-first-sign-in";

    private ConsistencyIds() {
    }
}
