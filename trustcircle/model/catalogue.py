"""Every validation rule: a stable id, a title, why it exists and the usual fix.

Ids by family: TC0xx files, YAML and field types (checked before anything else: their findings
come first, and a broken object is left out of the later rules), TC1xx identity and uniqueness,
TC2xx references, TC3xx four-eyes and verification, TC4xx dates, TC5xx doctrine, TC6xx policies.
A finding carries its own, more precise hint; docs/reference.md's rule table is generated from
here and tests check that the code emits no other id and docs/partner-organisation.md lists each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    rationale: str
    severity: str = "error"

    @property
    def phase(self) -> int:
        """0: files, YAML and types (causes); 1: rules across the model (they may follow from a cause)."""
        return 0 if self.id.startswith("TC0") else 1


_RULES = (
    Rule("TC001", "file too large", "a file of realms/ is one small object; a huge one is a mistake or an attack "
         "on the validator"),
    Rule("TC002", "not valid YAML", "the file must parse (spaces for indentation, each key once)"),
    Rule("TC003", "not exactly one kind per file", "one federation, provider, organisation or convention per file "
         "keeps each pull request's scope visible"),
    Rule("TC004", "not exactly one federation file", "the federation's settings and doctrine live in "
         "realms/federation.yaml, once"),
    Rule("TC005", "YAML anchor or alias", "an alias repeats content from elsewhere in the file: the reviewer does "
         "not see it where it applies, and nested aliases explode in size"),
    Rule("TC006", "no such file", "a path given to validate does not exist"),
    Rule("TC007", "not UTF-8", "a file in another encoding is read with other characters than its author saw"),
    Rule("TC008", "invisible or control character", "bidirectional overrides, zero-width and control characters "
         "make a file display differently from what it means"),
    Rule("TC009", "YAML merge key", "`<<:` adds keys to a mapping (a verification, say) that a reviewer reading "
         "the diff does not see as keys of that mapping"),
    Rule("TC010", "wrong type or value", "each field has a type and allowed values (docs/reference.md)"),
    Rule("TC011", "unknown key", "a misspelt key would otherwise be ignored, and its value with it"),
    Rule("TC012", "missing key", "a required field is absent"),
    Rule("TC013", "explicit YAML tag", "a tag (`!!str`, `!!binary`, `!custom`) changes how a value is read "
         "without it showing in the value"),
    Rule("TC014", "YAML directive or second document", "`%YAML`/`%TAG` directives change how the whole file is "
         "read; a second document would be ignored"),
    Rule("TC015", "symbolic link", "a link reaches content outside what the pull request shows under realms/"),
    Rule("TC016", "file in the wrong place", "each kind has its folder (federation.yaml at the root, then "
         "providers/, organisations/, conventions/); other YAML extensions would be ignored"),
    Rule("TC017", "too long, too many or too deep", "unbounded values hide content in a diff and cost the "
         "validator and Keycloak"),
    Rule("TC018", "URL not allowed", "URLs are exact https addresses: no http, wildcard, user name, fragment or "
         "disguised host; a redirect URI carries no parameter of the authorization response (code, state…)"),
    Rule("TC019", "value read differently by YAML versions", "`no`, `on`, `010` or `1_000` mean a boolean or "
         "another number to a YAML 1.1 reader (many editors and tools) and text or 10 to trustcircle"),
    Rule("TC101", "duplicate id", "ids name Keycloak objects and must be unique"),
    Rule("TC102", "duplicate realm", "each organisation and provider has its own realm"),
    Rule("TC103", "duplicate group", "group ids are unique within an organisation"),
    Rule("TC104", "duplicate rubrique or scope", "rubriques are unique within a service, scopes within an API"),
    Rule("TC105", "Keycloak organisation without a realm", "agents in Keycloak need the organisation's realm"),
    Rule("TC106", "two forms for one service in force", "each form in force becomes one Keycloak group"),
    Rule("TC107", "master realm", "the master realm is Keycloak's own administration realm"),
    Rule("TC108", "duplicate service or API id", "services and APIs of a provider share one id space"),
    Rule("TC109", "two services, one client", "each service is its own client (entity id or client id)"),
    Rule("TC110", "reserved group id", "trustcircle-… groups are the administrative ones"),
    Rule("TC111", "certificate or stand-in", "a service's encryption or signing needs exactly one of a "
         "certificate and local_stand_in"),
    Rule("TC112", "unusable certificate", "PEM, RSA of at least 2048 bits, not expired"),
    Rule("TC201", "unknown organisation", "a convention names a declared organisation"),
    Rule("TC202", "unknown provider", "a convention names a declared provider"),
    Rule("TC203", "unknown service", "a form names a service of the convention's provider"),
    Rule("TC204", "unknown rubrique", "a form grants rubriques of its service"),
    Rule("TC205", "unknown doctrine profile", "a form names a profile of the doctrine"),
    Rule("TC206", "unknown group", "a form names groups of the organisation"),
    Rule("TC207", "managed_by is not a local fund", "conventions are entered by a local fund"),
    Rule("TC208", "parent is not a local fund", "a partner's parent is the local fund that manages it"),
    Rule("TC209", "unknown level of assurance", "a service's minimum level is one of the federation's"),
    Rule("TC210", "API scope is not a rubrique", "an API serves rubriques of the provider's services"),
    Rule("TC211", "unknown API", "an application calls an API of the convention's provider"),
    Rule("TC212", "application scope beyond the form", "an application gets at most the form's rubriques "
         "that the API serves"),
    Rule("TC213", "unknown attested service", "an attestation attests rubriques of a service of its provider"),
    Rule("TC214", "verifier asks for an unknown claim", "a verifier may ask only for claims an attestation carries"),
    Rule("TC215", "rubrique takes an attestation claim's name", "an attested rubrique is a claim of its own: it "
         "cannot be named as the claims every attestation carries"),
    Rule("TC301", "verified convention without a verified amendment", "only a verified amendment is in force"),
    Rule("TC302", "verifier is the preparer", "four-eyes: someone else checks each entry, compared without "
         "regard to case, spaces or look-alike characters"),
    Rule("TC303", "not a verifier of the local fund", "the managing fund's declared verifiers verify"),
    Rule("TC304", "amendment numbering", "amendments are numbered 0, 1, 2, … in order"),
    Rule("TC305", "verified_by without verified_on", "who verified and when go together"),
    Rule("TC306", "person not written plainly", "a person is one plain identifier (e-mail address): no spaces, "
         "no look-alike or invisible characters, so four-eyes comparisons hold"),
    Rule("TC401", "validity window reversed", "valid_until is the last day and follows valid_from"),
    Rule("TC402", "verified before prepared", "a verification follows its preparation"),
    Rule("TC403", "terminated and terminated_on", "status terminated and its date go together"),
    Rule("TC404", "terminated before its history", "a convention is terminated after it was prepared and "
         "after every verification of its amendments"),
    Rule("TC405", "amendments out of order", "each amendment is prepared after the previous one was prepared"),
    Rule("TC501", "rubrique not allowed by the doctrine", "the doctrine bounds each profile's rubriques"),
    Rule("TC502", "profile not for this kind of organisation", "each profile is meant for kinds of organisation"),
    Rule("TC601", "organisation loosens a policy", "an organisation may only tighten the federation's policies"),
    Rule("TC602", "some character classes", "Keycloak requires all four character classes or none"),
    Rule("TC603", "federation loosens its profile", "the federation may only tighten its policy profile"),
)
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def phase(rule_id: str) -> int:
    return RULES[rule_id].phase if rule_id in RULES else 1
