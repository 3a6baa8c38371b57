"""Identifiers shared with the Keycloak extension (see extensions/README.md): attribute names,
provider ids, flow aliases. The Java code defines the same constants; tests check they agree."""

CONVENTION_GATE_PROVIDER_ID = "trustcircle-convention-gate"
POST_BROKER_FLOW_ALIAS = "trustcircle post-broker login"
BROWSER_FLOW_ALIAS = "trustcircle browser"
BROWSER_FORMS_SUBFLOW = "trustcircle browser forms"
BROWSER_IDENTIFY_SUBFLOW = "trustcircle browser identify"
BROWSER_MFA_SUBFLOW = "trustcircle administrators second factor"
BROWSER_KNOWN_FACTOR_SUBFLOW = "trustcircle security key or one-time code"
BROWSER_ENROL_SUBFLOW = "trustcircle first second factor"
BROWSER_LEVEL_SUBFLOW = "trustcircle level {level}"  # an organisation realm's step-up levels (1, 2)
DIRECT_GRANT_FLOW_ALIAS = "trustcircle direct grant"
DIRECT_GRANT_MFA_SUBFLOW = "trustcircle administrators one-time code"

SERVICE_ATTR = "trustcircle.service"
ORGANISATION_ATTR = "trustcircle.organisation"
CONVENTION_ID_ATTR = "trustcircle.convention.id"
CONVENTION_SERVICE_ATTR = "trustcircle.convention.service"
CONVENTION_STATUS_ATTR = "trustcircle.convention.status"
CONVENTION_VALID_FROM_ATTR = "trustcircle.convention.valid_from"
CONVENTION_VALID_UNTIL_ATTR = "trustcircle.convention.valid_until"
MANAGED_BY_ATTR = "trustcircle.managed-by"
MANAGED_BY = "trustcircle"
MANAGED_BY_MARKER = f"{MANAGED_BY_ATTR}={MANAGED_BY}"  # where an object has a description, not attributes
# a realm's federation (realms/federation.yaml's id): what trustcircle owns is scoped to one federation,
# so two federations (or a side stack) on one server never remove each other's objects
FEDERATION_ATTR = "trustcircle.federation"

# Groups reserved in organisation realms (organisation group ids may not start with "trustcircle-").
RESERVED_GROUP_PREFIX = "trustcircle-"
ADMINISTRATORS_GROUP = "trustcircle-administrators"
HABILITATION_MANAGERS_GROUP = "trustcircle-habilitation-managers"
DESIGNATED_ATTR = "trustcircle.designated"

HABILITATION_ATTRIBUTE = "habilitation"  # the SAML attribute / OIDC claim name, at home and at the provider
SAML_HABILITATION_MAPPER = "trustcircle-habilitation-saml-mapper"
OIDC_HABILITATION_MAPPER = "trustcircle-habilitation-oidc-mapper"
ACCOUNT_MAIL_LISTENER = "trustcircle-account-mail"  # mails a new account's identifier on its own
# a password an administrator set as temporary: marked by a listener (the attribute names its
# credential), refused once expired by an authenticator in each flow (ids, not secrets: S105)
TEMPORARY_PASSWORD_LISTENER = "trustcircle-temporary-password"  # noqa: S105
TEMPORARY_PASSWORD_EXPIRY = "trustcircle-temp-password-expiry"  # noqa: S105
TEMPORARY_PASSWORD_EXPIRY_DIRECT_GRANT = "trustcircle-temp-password-expiry-dg"  # noqa: S105
TEMPORARY_PASSWORD_ATTR = "trustcircle.temporary-password"  # noqa: S105
AUDIT_LISTENER = "trustcircle-audit"  # the extension's event listener (audit trail with correlation)
HOME_HABILITATIONS_ATTR = "trustcircle.home.habilitations"  # provider realm: what the home asserted
SAML_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"

# levels of assurance (extension module assurance): Keycloak's ACR-to-LoA map in every realm, each
# e-service's minimum level, the level asserted by the agent's organisation, the provider's gates
ACR_LOA_MAP_ATTR = "acr.loa.map"
ASSURANCE_ATTR = "trustcircle.assurance"
HOME_ASSURANCE_MAPPER = "trustcircle-home-assurance"
ASSURANCE_GATE = "trustcircle-assurance-gate"
ASSURANCE_GATE_AFTER_BROKER = "trustcircle-assurance-gate-broker"
CONVENTION_WINDOW_EXECUTOR = "trustcircle-convention-window"  # client policy: applications within their convention
SERVICE_CLIENT_ATTR = "trustcircle.service.client"  # an application acting for agents: whose rubriques it releases

# one identity per organisation (extension module consistency): the provider creates an access
# account per organisation's agent and never links it to another (first broker login flow), brokered
# agents cannot link accounts themselves (default roles), and the access accounts follow their root
# account at home (the consistency listener and `trustcircle consistency`)
FIRST_BROKER_FLOW_ALIAS = "trustcircle first broker login"
# in that flow, after Keycloak's create-if-unique: an agent's first sign-in cut before its link was made
# resumes on the account it left (nothing else is ever taken over)
RESUME_FIRST_SIGN_IN = "trustcircle-resume-first-sign-in"

# habilitation attestations (extension module habilitation-mapper; Keycloak's OID4VCI issuer)
HABILITATION_ATTESTATION_MAPPER = "trustcircle-habilitation-attestation-mapper"
ATTESTATION_SERVICE_CLIENT_CONFIG = "trustcircle.service.client"  # the mapper's config: whose rubriques
ATTESTATION_LIFETIME_CONFIG = "trustcircle.attestation.lifetime"  # the mapper's config: seconds
ATTESTATION_ENTITLEMENT = "trustcircle-attestation-entitlement"  # post-broker flow: a wallet's sign-in
ATTESTATIONS_RESOURCE = "trustcircle-attestations"  # /realms/<realm>/<this>/status/1, …/attestations
WALLET_ATTR = "oid4vci.enabled"  # client attribute: Keycloak's wallet client
CONSISTENCY_LISTENER = "trustcircle-consistency"
CONSISTENCY_ATTRIBUTES_CONFIG = "trustcircle.consistency.attributes"  # IdP config: what flows from home
CONSISTENCY_QUALITY_CONFIG = "trustcircle.consistency.quality"  # IdP config: the identities' eIAM QoA
CONSISTENCY_DISABLED_ATTR = "trustcircle.consistency.disabled"  # access account: why the checker disabled it
STATUS_ATTR = "trustcircle.status"  # access account: active, inactive or archived, as at home
SOURCE_ATTR = "trustcircle.source"  # access account: the system its identity comes from
HOME_STATUS_ATTR = "status"  # root account: "archived" archives it (disabled accounts are inactive)
ASSURANCE_CEILING_CONFIG = "ceiling"  # the home assurance mapper: the highest level the organisation may assert
CONSISTENCY_RESOURCE_TYPE = "TRUSTCIRCLE_CONSISTENCY"  # audit trail: what the rules changed at a provider
PERSISTENT_NAME_ID_PREFIX = "saml.persistent.name.id.for."  # root account: the NameID given to each SAML client
CONSISTENCY_RESOURCE = "trustcircle-consistency"  # /realms/<realm>/<this>/accounts: what the checker reads
