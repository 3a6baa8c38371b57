"""What each structural change means to a reviewer: an overlay on the complete comparison.

:data:`CATEGORIES` names, for each path through the model (``kind.field.field``, list keys left out),
the kind of change a reviewer is looking at. A path it does not name is still reported, as
"unclassified change at <file>: <key path>": the overlay adds words, it never drops a change.
``**`` ends a path whose whole subtree is one kind of change (the policies, the doctrine's grants).
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from trustcircle.review.structure import FILE_MOVED, Change
from trustcircle.review.values import changed, is_absent

UNCLASSIFIED = "Unclassified"
ORDER = ("Access", "Applications and scopes", "Certificates and keys", "Encryption and signing",
         "Identity provider and metadata", "Identities and access accounts", "E-services",
         "Administrators and verifiers", "Attestations", "Policies", "Organisation", "Federation settings",
         "Doctrine", "Files", UNCLASSIFIED)

CATEGORIES: dict[str, tuple[str, ...]] = {
    "Access": (
        "convention", "convention.id", "convention.organisation", "convention.provider", "convention.status",
        "convention.terminated_on", "convention.amendments", "convention.amendments.forms",
        "convention.amendments.forms.service", "convention.amendments.forms.profile",
        "convention.amendments.forms.rubriques", "convention.amendments.forms.groups",
        "convention.amendments.forms.valid_from", "convention.amendments.forms.valid_until",
        "organisation.groups", "organisation.groups.id", "organisation.groups.name"),
    "Applications and scopes": (
        "convention.amendments.forms.applications", "convention.amendments.forms.applications.id",
        "convention.amendments.forms.applications.name", "convention.amendments.forms.applications.api",
        "convention.amendments.forms.applications.scopes", "convention.amendments.forms.applications.on_behalf_of",
        "convention.amendments.forms.applications.on_behalf_of.redirect_uris",
        "provider.apis", "provider.apis.id", "provider.apis.name", "provider.apis.audience", "provider.apis.scopes"),
    "Certificates and keys": (
        "convention.amendments.forms.applications.mtls", "convention.amendments.forms.applications.mtls.subject",
        "provider.services.encryption.certificate", "provider.services.encryption.local_stand_in",
        "provider.services.signing.certificate", "provider.services.signing.local_stand_in",
        "provider.services.jwks_url", "organisation.authentication.jwks_url"),
    "Encryption and signing": (
        "provider.services.encryption", "provider.services.signing",
        "organisation.authentication.encrypted_assertions"),
    "Identity provider and metadata": (
        "organisation.realm", "organisation.authentication", "organisation.authentication.type",
        "organisation.authentication.entity_id", "organisation.authentication.metadata_url",
        "organisation.authentication.sso_url", "organisation.authentication.slo_url",
        "organisation.authentication.issuer", "organisation.authentication.authorization_url",
        "organisation.authentication.token_url", "organisation.authentication.logout_url",
        "organisation.authentication.client_id"),
    "Identities and access accounts": (
        "organisation.identities", "organisation.identities.quality", "organisation.identities.consistency_checker",
        "organisation.identities.synchronised", "federation.levels_of_assurance.minimum_quality"),
    "E-services": (
        "provider", "provider.id", "provider.name", "provider.realm", "provider.services", "provider.services.id",
        "provider.services.name", "provider.services.protocol", "provider.services.entity_id",
        "provider.services.acs_url", "provider.services.slo_url", "provider.services.client_id",
        "provider.services.redirect_uris", "provider.services.post_logout_redirect_uris",
        "provider.services.rubriques", "provider.services.rubriques.id", "provider.services.rubriques.name"),
    "Administrators and verifiers": (
        "provider.administrators", "organisation.administrators", "organisation.habilitation_managers",
        "organisation.verifiers", "convention.managed_by", "convention.amendments.number",
        "convention.amendments.prepared_by", "convention.amendments.prepared_on",
        "convention.amendments.verified_by", "convention.amendments.verified_on"),
    "Attestations": ("provider.attestations.**", "federation.attestation_rules.**"),
    "Policies": (
        "federation.policy_profile", "federation.policies.**", "organisation.policies.**",
        "federation.levels_of_assurance", "federation.levels_of_assurance.id", "federation.levels_of_assurance.name",
        "federation.levels_of_assurance.acr", "federation.levels_of_assurance.factors",
        "provider.services.level_of_assurance"),
    "Organisation": (
        "organisation", "organisation.id", "organisation.name", "organisation.kind", "organisation.category",
        "organisation.parent"),
    "Federation settings": ("federation", "federation.id", "federation.name", "federation.timezone"),
    "Doctrine": (
        "federation.doctrine", "federation.doctrine.id", "federation.doctrine.name",
        "federation.doctrine.organisation_kinds", "federation.doctrine.services.**"),
    "Files": (f"*.{FILE_MOVED}", "file"),
}

# changes that weaken a protection: said in so many words
WARNINGS: dict[str, tuple[object, str]] = {
    "organisation.authentication.encrypted_assertions": (False, "its identity provider's assertions may then "
                                                                "reach the provider in clear"),
    "provider.services.encryption": (None, "assertions to this e-service would no longer be encrypted"),
    "provider.services.signing": (None, "the e-service's unsigned requests would no longer be refused"),
    "federation.policies.admin_mfa": (False, "administrators would no longer need a second factor"),
    "organisation.policies.admin_mfa": (False, "administrators would no longer need a second factor"),
    "organisation.identities.consistency_checker": (False, "its unverified identities' access accounts would no "
                                                           "longer follow home"),
}


def _glob(pattern: str) -> str:
    return pattern[:-3] + "*" if pattern.endswith(".**") else pattern


def _matches(pattern: str, path: str) -> bool:
    return fnmatchcase(path, _glob(pattern)) or (pattern.endswith(".**") and path == pattern[:-3])


def category(schema_path: str) -> str:
    """The category of a path through the model, or :data:`UNCLASSIFIED`."""
    return next((name for name, paths in CATEGORIES.items() if any(_matches(p, schema_path) for p in paths)),
                UNCLASSIFIED)


def warning(change: Change) -> str:
    found = WARNINGS.get(change.schema_path)
    if found is None:
        return ""
    weak, text = found
    return f" Warning: {text}." if (is_absent(change.after) if weak is None else change.after == weak) else ""


def sentence(change: Change) -> tuple[str, str]:
    """(category, plain-language line) of one change."""
    kind = category(change.schema_path)
    if kind == UNCLASSIFIED:
        return kind, f"unclassified change at {change.document.file}: {change.key_path}: {changed(change)}."
    return kind, f"{kind}: {subject(change)} {changed(change)}.{warning(change)}"


NOUNS = {"amendments": "amendment", "forms": "form", "applications": "application", "services": "e-service",
         "apis": "API", "rubriques": "rubrique", "groups": "group", "levels_of_assurance": "level of assurance",
         "doctrine": "profile", "credentials": "attestation", "verifiers": "verifier"}
WORDS = {"authentication": "identity provider", "mtls": "certificate", "on_behalf_of": "calls for agents",
         "encryption": "assertion encryption", "signing": "request signing", "policies": "policy",
         "attestation_rules": "attestation rules"}


def subject(change: Change) -> str:
    """What changed, in words: ``convention CNV-2026-0001, amendment 1, form cdap, rubriques``."""
    doc = change.document
    name = "the federation's settings" if doc.kind == "federation" else f"{doc.kind} {doc.ident}"
    pieces = [f"{name} ({doc.file})"] if not change.path else [name] if doc.kind == "convention" else []
    words: list[str] = []
    for n, part in enumerate(change.path):
        if part.startswith("["):
            continue
        if part == FILE_MOVED:
            words.append("file")
        elif n + 1 < len(change.path) and change.path[n + 1].startswith("["):
            pieces.extend([" ".join(words), f"{NOUNS.get(part, part)} {change.path[n + 1][1:-1]}"] if words
                          else [f"{NOUNS.get(part, part)} {change.path[n + 1][1:-1]}"])
            words = []
        else:
            words.append(WORDS.get(part, part.replace("_", " ")))
    return ", ".join([*pieces, " ".join(words)] if words else pieces) + ":"
