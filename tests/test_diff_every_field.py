"""`trustcircle diff` as a hostile contributor tests it: every field of the model, edited in a
copy of realms/, must produce a line that says what it is; none may slip through unseen.

The fields come from the model itself (trustcircle/model/schema.py and policies.py): a field added
to the model without an edit here, or without a classification in trustcircle/review/classify.py,
fails these tests.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import types
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel

from trustcircle.model.document import KINDS
from trustcircle.review.classify import UNCLASSIFIED, category, sentence
from trustcircle.review.diff import build, report
from trustcircle.review.structure import LIST_KEYS, Change
from trustcircle.settings import REPO_ROOT

ON = dt.date(2026, 11, 22)
DELETE = object()
PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUJ4p0\n-----END CERTIFICATE-----\n"
Keys = tuple[str | int, ...]


def _inner(annotation: Any) -> tuple[list[type[BaseModel]], bool]:
    """(the models an annotation holds, whether it is a mapping of data keys)."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _inner(args[0])
    if origin in (Union, types.UnionType, list, tuple):
        found = [_inner(a) for a in args if a is not Ellipsis]
        return [m for models, _ in found for m in models], any(mapping for _, mapping in found)
    if origin is dict:
        return _inner(args[1])[0], True
    return ([annotation], False) if isinstance(annotation, type) and issubclass(annotation, BaseModel) else ([], False)


def model_paths(model: type[BaseModel], prefix: str) -> list[str]:
    """Every path through the model below ``prefix``: each field, and its fields in turn."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        models, mapping = _inner(info.annotation)
        found += [f"{prefix}.{name}", *([f"{prefix}.{name}.*"] if mapping else [])]
        found += [p for m in models for p in model_paths(m, f"{prefix}.{name}") if p not in found]
    return list(dict.fromkeys(found))


ALL_PATHS = [p for kind, model in KINDS.items() for p in [kind, *model_paths(model, kind)]]

POLICY_VALUES: dict[str, object] = {
    "min_length": 10, "max_length": 30, "character_classes": 3, "history": 5, "max_age_days": 90,
    "temporary_validity_hours": 12, "breached_deny_list": True, "max_failures": 3, "wait_minutes": 30,
    "idle_minutes": 15, "max_concurrent": 2, "admin_mfa": True, "agent_mfa": True}
POLICY_SECTIONS = {"password": {"history": 5}, "lockout": {"wait_minutes": 30}, "sessions": {"idle_minutes": 15}}

F, P, CD33, CHU, UDAF, CNV = ("federation.yaml", "providers/cnaf.yaml", "organisations/cd33.yaml",
                              "organisations/chu-bordeaux.yaml", "organisations/udaf33.yaml",
                              "conventions/cnaf-cd33.yaml")
SAML, OIDC = ("provider", "services", 0), ("provider", "services", 1)
AM = ("convention", "amendments", 1)
FORM, APP = (*AM, "forms", 0), (*AM, "forms", 0, "applications", 0)
LOA, T1 = ("federation", "levels_of_assurance", 1), ("federation", "doctrine", 0)

EDITS: dict[str, tuple[str, Keys, object]] = {
    "federation": (F, (), DELETE),
    "federation.id": (F, ("federation", "id"), "another-federation"),
    "federation.name": (F, ("federation", "name"), "Another name"),
    "federation.timezone": (F, ("federation", "timezone"), "Europe/Brussels"),
    "federation.policy_profile": (F, ("federation", "policy_profile"), "current-guidance"),
    "federation.policies": (F, ("federation", "policies"), {"lockout": {"max_failures": 3}}),
    "federation.levels_of_assurance": (F, LOA, DELETE),
    "federation.attestation_rules": (F, ("federation", "attestation_rules"), {"max_status_list_age_hours": 6}),
    "federation.attestation_rules.max_status_list_age_hours": (F, ("federation", "attestation_rules",
                                                                   "max_status_list_age_hours"), 48),
    "federation.attestation_rules.max_trust_list_age_days": (F, ("federation", "attestation_rules",
                                                                 "max_trust_list_age_days"), 30),
    "federation.attestation_rules.max_presentation_age_seconds": (F, ("federation", "attestation_rules",
                                                                      "max_presentation_age_seconds"), 60),
    "federation.levels_of_assurance.id": (F, (*LOA, "id"), "very-high"),
    "federation.levels_of_assurance.name": (F, (*LOA, "name"), "Très élevé"),
    "federation.levels_of_assurance.acr": (F, (*LOA, "acr"), "urn:trustcircle:loa:other"),
    "federation.levels_of_assurance.factors": (F, (*LOA, "factors"), 3),
    "federation.levels_of_assurance.minimum_quality": (F, (*LOA, "minimum_quality"), 60),
    "federation.doctrine": (F, ("federation", "doctrine", 2), DELETE),
    "federation.doctrine.id": (F, ("federation", "doctrine", 2, "id"), "T4"),
    "federation.doctrine.name": (F, (*T1, "name"), "Travailleur social"),
    "federation.doctrine.organisation_kinds": (F, (*T1, "organisation_kinds"), ["partner", "local_fund"]),
    "federation.doctrine.services": (F, (*T1, "services", "aides"), DELETE),
    "federation.doctrine.services.*": (F, (*T1, "services", "cdap"), ["dossier", "droits", "qf"]),
    "provider": (P, (), DELETE),
    "provider.id": (P, ("provider", "id"), "cnaf-bis"),
    "provider.name": (P, ("provider", "name"), "CNAF"),
    "provider.realm": (P, ("provider", "realm"), "cnaf-bis"),
    "provider.services": (P, OIDC, DELETE),
    "provider.services.id": (P, (*OIDC, "id"), "aides-bis"),
    "provider.services.name": (P, (*SAML, "name"), "CDAP"),
    "provider.services.protocol": (P, (*OIDC, "protocol"), "saml"),
    "provider.services.entity_id": (P, (*SAML, "entity_id"), "urn:trustcircle:sp:other"),
    "provider.services.acs_url": (P, (*SAML, "acs_url"), "https://sp.example/acs"),
    "provider.services.slo_url": (P, (*SAML, "slo_url"), "https://sp.example/slo"),
    "provider.services.encryption": (P, (*SAML, "encryption"), DELETE),
    "provider.services.encryption.certificate": (P, (*SAML, "encryption", "certificate"), PEM),
    "provider.services.encryption.local_stand_in": (P, (*SAML, "encryption", "local_stand_in"), False),
    "provider.services.signing": (P, (*SAML, "signing"), DELETE),
    "provider.services.signing.certificate": (P, (*SAML, "signing", "certificate"), PEM),
    "provider.services.signing.local_stand_in": (P, (*SAML, "signing", "local_stand_in"), False),
    "provider.services.level_of_assurance": (P, (*SAML, "level_of_assurance"), "high"),
    "provider.services.rubriques": (P, (*SAML, "rubriques", 12), DELETE),
    "provider.services.rubriques.id": (P, (*SAML, "rubriques", 12, "id"), "enfants-bis"),
    "provider.services.rubriques.name": (P, (*SAML, "rubriques", 12, "name"), "Children"),
    "provider.services.client_id": (P, (*OIDC, "client_id"), "urn:trustcircle:rp:other"),
    "provider.services.redirect_uris": (P, (*OIDC, "redirect_uris"), ["https://rp.example/callback"]),
    "provider.services.post_logout_redirect_uris": (P, (*OIDC, "post_logout_redirect_uris"), []),
    "provider.services.jwks_url": (P, (*OIDC, "jwks_url"), "https://rp.example/jwks.json"),
    "provider.apis": (P, ("provider", "apis", 0), DELETE),
    "provider.apis.id": (P, ("provider", "apis", 0, "id"), "cdap-api-bis"),
    "provider.apis.name": (P, ("provider", "apis", 0, "name"), "API"),
    "provider.apis.audience": (P, ("provider", "apis", 0, "audience"), "urn:trustcircle:api:other"),
    "provider.apis.scopes": (P, ("provider", "apis", 0, "scopes"), ["dossier", "qf"]),
    "provider.administrators": (P, ("provider", "administrators"), ["someone@cnaf.example"]),
    "provider.attestations": (P, ("provider", "attestations"), DELETE),
    "provider.attestations.wallet": (P, ("provider", "attestations", "wallet", "redirect_uris"),
                                     ["https://127.0.0.1:8545/other"]),
    "provider.attestations.wallet.client_id": (P, ("provider", "attestations", "wallet", "client_id"),
                                               "urn:trustcircle:wallet:other"),
    "provider.attestations.wallet.redirect_uris": (P, ("provider", "attestations", "wallet", "redirect_uris"),
                                                   ["https://127.0.0.1:8545/wallet/back"]),
    "provider.attestations.credentials": (P, ("provider", "attestations", "credentials", 0), DELETE),
    "provider.attestations.credentials.id": (P, ("provider", "attestations", "credentials", 0, "id"),
                                             "habilitation-cdap-bis"),
    "provider.attestations.credentials.name": (P, ("provider", "attestations", "credentials", 0, "name"), "Other"),
    "provider.attestations.credentials.service": (P, ("provider", "attestations", "credentials", 0, "service"),
                                                  "aides"),
    "provider.attestations.credentials.lifetime_hours": (P, ("provider", "attestations", "credentials", 0,
                                                             "lifetime_hours"), 48),
    "provider.attestations.verifiers": (P, ("provider", "attestations", "verifiers", 0), DELETE),
    "provider.attestations.verifiers.id": (P, ("provider", "attestations", "verifiers", 0, "id"), "guichet"),
    "provider.attestations.verifiers.name": (P, ("provider", "attestations", "verifiers", 0, "name"), "Guichet"),
    "provider.attestations.verifiers.may_request": (P, ("provider", "attestations", "verifiers", 0, "may_request"),
                                                    ["rsa", "qf"]),
    "organisation": (UDAF, (), DELETE),
    "organisation.id": (CD33, ("organisation", "id"), "cd33-bis"),
    "organisation.name": (CD33, ("organisation", "name"), "Département de la Gironde"),
    "organisation.kind": (CD33, ("organisation", "kind"), "local_fund"),
    "organisation.category": (CD33, ("organisation", "category"), "council"),
    "organisation.parent": (CD33, ("organisation", "parent"), "caf69"),
    "organisation.realm": (CD33, ("organisation", "realm"), "gironde"),
    "organisation.authentication": (CHU, ("organisation", "authentication"), {"type": "keycloak"}),
    "organisation.authentication.type": (CHU, ("organisation", "authentication", "type"), "oidc"),
    "organisation.authentication.entity_id": (CHU, ("organisation", "authentication", "entity_id"), "urn:idp"),
    "organisation.authentication.metadata_url": (CHU, ("organisation", "authentication", "metadata_url"),
                                                 "https://idp.example/metadata"),
    "organisation.authentication.sso_url": (CHU, ("organisation", "authentication", "sso_url"),
                                            "https://idp.example/sso"),
    "organisation.authentication.slo_url": (CHU, ("organisation", "authentication", "slo_url"),
                                            "https://idp.example/slo"),
    "organisation.authentication.encrypted_assertions": (CHU, ("organisation", "authentication",
                                                               "encrypted_assertions"), False),
    "organisation.authentication.issuer": (UDAF, ("organisation", "authentication", "issuer"), "https://op.example"),
    "organisation.authentication.authorization_url": (UDAF, ("organisation", "authentication", "authorization_url"),
                                                      "https://op.example/authorize"),
    "organisation.authentication.token_url": (UDAF, ("organisation", "authentication", "token_url"),
                                              "https://op.example/token"),
    "organisation.authentication.jwks_url": (UDAF, ("organisation", "authentication", "jwks_url"),
                                             "https://op.example/jwks"),
    "organisation.authentication.logout_url": (UDAF, ("organisation", "authentication", "logout_url"),
                                               "https://op.example/logout"),
    "organisation.authentication.client_id": (UDAF, ("organisation", "authentication", "client_id"), "other"),
    "organisation.administrators": (CD33, ("organisation", "administrators"), ["x@gironde.example"]),
    "organisation.habilitation_managers": (CD33, ("organisation", "habilitation_managers"), []),
    "organisation.verifiers": ("organisations/caf33.yaml", ("organisation", "verifiers"),
                               ["caf33.verifier@caf.example"]),
    "organisation.groups": (CD33, ("organisation", "groups", 1), DELETE),
    "organisation.groups.id": (CD33, ("organisation", "groups", 1, "id"), "travailleurs"),
    "organisation.groups.name": (CD33, ("organisation", "groups", 1, "name"), "Travailleurs"),
    "organisation.policies": (CD33, ("organisation", "policies"), DELETE),
    "organisation.identities": (CD33, ("organisation", "identities"), DELETE),
    "organisation.identities.quality": (CD33, ("organisation", "identities", "quality"), 40),
    "organisation.identities.consistency_checker": (CD33, ("organisation", "identities", "consistency_checker"),
                                                    False),
    "organisation.identities.synchronised": (CD33, ("organisation", "identities", "synchronised"),
                                             ["last_name", "first_name"]),
    "convention": ("conventions/cnaf-ccas-bordeaux.yaml", (), DELETE),
    "convention.id": (CNV, ("convention", "id"), "CNV-2026-0099"),
    "convention.organisation": (CNV, ("convention", "organisation"), "udaf33"),
    "convention.provider": (CNV, ("convention", "provider"), "cnaf-bis"),
    "convention.managed_by": (CNV, ("convention", "managed_by"), "caf69"),
    "convention.status": (CNV, ("convention", "status"), "draft"),
    "convention.terminated_on": (CNV, ("convention", "terminated_on"), dt.date(2026, 11, 20)),
    "convention.amendments": (CNV, AM, DELETE),
    "convention.amendments.number": (CNV, (*AM, "number"), 2),
    "convention.amendments.prepared_by": (CNV, (*AM, "prepared_by"), "caf33.verifier@caf.example"),
    "convention.amendments.prepared_on": (CNV, (*AM, "prepared_on"), dt.date(2026, 3, 3)),
    "convention.amendments.verified_by": (CNV, (*AM, "verified_by"), "caf33.admin@caf.example"),
    "convention.amendments.verified_on": (CNV, (*AM, "verified_on"), dt.date(2026, 3, 5)),
    "convention.amendments.forms": (CNV, (*AM, "forms", 1), DELETE),
    "convention.amendments.forms.service": (CNV, (*AM, "forms", 1, "service"), "cdap-bis"),
    "convention.amendments.forms.profile": (CNV, (*FORM, "profile"), "T1"),
    "convention.amendments.forms.rubriques": (CNV, (*FORM, "rubriques"), ["dossier", "droits"]),
    "convention.amendments.forms.groups": (CNV, (*FORM, "groups"), []),
    "convention.amendments.forms.valid_from": (CNV, (*FORM, "valid_from"), dt.date(2026, 2, 1)),
    "convention.amendments.forms.valid_until": (CNV, (*FORM, "valid_until"), dt.date(2029, 12, 31)),
    "convention.amendments.forms.applications": (CNV, (*FORM, "applications"), DELETE),
    "convention.amendments.forms.applications.id": (CNV, (*APP, "id"), "gestion-rsa-bis"),
    "convention.amendments.forms.applications.name": (CNV, (*APP, "name"), "Logiciel"),
    "convention.amendments.forms.applications.api": (CNV, (*APP, "api"), "other-api"),
    "convention.amendments.forms.applications.scopes": (CNV, (*APP, "scopes"), ["dossier"]),
    "convention.amendments.forms.applications.mtls": (CNV, (*APP, "mtls"), {"subject": "CN=other,O=cd33"}),
    "convention.amendments.forms.applications.mtls.subject": (CNV, (*APP, "mtls", "subject"), "CN=x,O=cd33"),
    "convention.amendments.forms.applications.on_behalf_of": (CNV, (*APP, "on_behalf_of"), DELETE),
    "convention.amendments.forms.applications.on_behalf_of.redirect_uris": (
        CNV, (*APP, "on_behalf_of", "redirect_uris"), ["https://127.0.0.1:8547/other/callback"]),
}
for _path in ALL_PATHS:  # every policy setting, in the federation's file and in an organisation's
    for _kind, _file in (("federation", F), ("organisation", CD33)):
        if _path.startswith(f"{_kind}.policies."):
            _keys = tuple(_path.split("."))
            _value = POLICY_VALUES.get(_keys[-1], POLICY_SECTIONS.get(_keys[-1]))
            EDITS[_path] = (_file, _keys, (not _value) if _path.endswith("breached_deny_list") and
                            _kind == "organisation" else _value)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO_ROOT / "realms", repo / "realms")
    _git(repo, "init", "-q")
    _git(repo, "add", "realms")
    _git(repo, "commit", "-qm", "base")
    return repo


@pytest.fixture
def repo(base: Path) -> Path:
    _git(base, "checkout", "-q", "--", ".")
    _git(base, "clean", "-fdq")
    return base


def edit(realms: Path, file: str, keys: Keys, value: object) -> None:
    """Set (or, with DELETE, remove) the value at ``keys`` in one file of ``realms``."""
    path = realms / file
    if not keys:
        path.unlink()
        return
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    node = doc
    for key in keys[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node[key]
    if value is DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _related(change: Change, path: str) -> bool:
    """The change is at the path, inside it (a block), or at the list item or document a key names."""
    at = change.schema_path
    named_by_key = path.rsplit(".", 1)[-1] in LIST_KEYS and path.startswith(f"{at}.")
    return at == path or at.startswith(f"{path}.") or (path.endswith(".*") and at.startswith(path[:-1])) \
        or named_by_key


def test_every_field_of_the_model_has_an_edit_here() -> None:
    assert sorted(set(ALL_PATHS) - set(EDITS)) == [], "add an edit for each new field of the model"
    assert sorted(set(EDITS) - set(ALL_PATHS)) == [], "remove the edits of fields the model no longer has"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_every_field_of_the_model_is_classified(path: str) -> None:
    assert category(path) != UNCLASSIFIED, f"classify {path} in trustcircle/review/classify.py"


@pytest.mark.parametrize("path", sorted(EDITS))
def test_each_kind_of_change_produces_a_line(repo: Path, path: str) -> None:
    edit(repo / "realms", *EDITS[path])
    diff = build(repo, "HEAD", ON)
    changes, text = [c for c in diff.changes if _related(c, path)], report(diff)
    assert changes, f"no change reported for {path}:\n{text}"
    assert "unclassified change" not in text
    for change in changes:
        assert f"- {sentence(change)[1]}" in text
