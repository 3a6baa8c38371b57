"""Normalised realm exports, to compare the realms of two Keycloak servers (Ansible and Pulumi paths).

A realm is read with the admin API's partial export (realm settings, clients, client scopes,
groups, roles, identity providers, flows, components; never users or secrets) and normalised:
server-generated ids and key material are dropped, the server's public URL becomes ``<public-url>``,
and lists are sorted, so two servers given the same desired state export the same thing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import requests

from trustcircle.leaks import redact

TIMEOUT_S = 30
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PUBLIC_URL = "<public-url>"
PRIVATE = "<a private key: present>"
# generated per server: identifiers, and the realm keys' material (its providers are compared)
DROPPED_KEYS = frozenset({"id", "internalId", "containerId", "parentId", "flowId", "topLevel-id", "_id",
                          "privateKey", "certificate", "kid", "secret", "secretData", "credentialData",
                          "createdTimestamp", "parentSubGroupCount", "subGroupCount",
                          # when the client was created; and a hash of the client id, which holds the URL
                          "client.secret.creation.time", "saml.artifact.binding.identifier"})

# Keycloak writes some settings' defaults into a realm's attributes when the realm is updated
# through the admin API (the Pulumi path updates realms, a fresh Ansible run only creates them):
# an attribute holding its default is the same realm as one without it.
DEFAULT_ATTRIBUTES = {"realmReusableOtpCode": "false"}


# Keycloak's defaults at a realm's creation that depend on the version that created it, not on
# realms/: a realm made by 26.7 has the ``federated-jwt`` client authenticator in its built-in
# ``clients`` flow and the passwordless WebAuthn policy's resident key "not specified"; a realm
# migrated from 26.5 lacks the former and keeps "Yes" (docs/upgrading.md). Neither is used by the federation (checked
# by :func:`without_creation_defaults`), so a migrated realm and a new one are the same federation.
UNUSED_CLIENT_AUTHENTICATOR = "federated-jwt"
UNUSED_POLICY = "webAuthnPolicyPasswordlessRequireResidentKey"

# The same for Keycloak's own verifiable credentials: a realm created while the ``oid4vc-vci``
# feature is on (trustcircle.features) gets two "natural person" credential scopes, the
# ``verifiable_credential_offer`` required action and the account console's two credential roles;
# a realm created before trustcircle turned the feature on has none of them (no migration adds
# them). trustcircle issues only its habilitation attestations (docs/attestations.md): no client
# may request those scopes and a realm that issues nothing keeps Keycloak's issuer off (checked by
# :func:`without_creation_defaults`), so with or without them a realm is the same federation.
UNUSED_CREDENTIAL_SCOPES = frozenset({"oid4vc_natural_person_sd", "oid4vc_natural_person_jwt"})
UNUSED_REQUIRED_ACTION = "verifiable_credential_offer"
UNUSED_ACCOUNT_ROLES = frozenset({"manage-verifiable-credentials", "view-verifiable-credentials"})

# A realm's key providers belong to neither path (docs/ownership.md): Keycloak generates them at the
# realm's creation and ``./run rotate keys`` replaces them (a new name, a higher priority, 3072-bit
# keys), so a rotated realm and a fresh one hold different providers for the same federation. They
# are compared by kind: which generated keys, of which algorithm, enabled and active (a setting a
# provider leaves out holds Keycloak's default: the realm's own providers leave out all three).
# Keycloak also makes a provider of its own, named ``fallback-<algorithm>``, the first time a realm
# is asked for a key of an algorithm it has none of (a client whose tokens are set to ES256, for
# one): a realm that has served such a request and one that has not are the same federation.
KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
FALLBACK_KEY = "fallback-"
KEY_DEFAULTS = {"enabled": "true", "active": "true"}
KEY_ALGORITHMS = {"rsa-generated": "RS256", "rsa-enc-generated": "RSA-OAEP"}


class Server:
    """One Keycloak's admin API (master realm administrator, TLS verified with ``ca``)."""

    def __init__(self, url: str, ca: Path, username: str, password: str) -> None:
        self.url, self.ca = url.rstrip("/"), str(ca)
        answer = requests.post(f"{self.url}/realms/master/protocol/openid-connect/token", verify=self.ca,
                               data={"grant_type": "password", "client_id": "admin-cli",
                                     "username": username, "password": password}, timeout=TIMEOUT_S)
        answer.raise_for_status()
        self.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}

    def get(self, path: str) -> Any:
        answer = requests.get(f"{self.url}/admin{path}", headers=self.headers, verify=self.ca, timeout=TIMEOUT_S)
        answer.raise_for_status()
        return answer.json()

    def export(self, realm: str) -> Any:
        answer = requests.post(f"{self.url}/admin/realms/{realm}/partial-export", headers=self.headers,
                               params={"exportClients": "true", "exportGroupsAndRoles": "true"},
                               verify=self.ca, timeout=TIMEOUT_S)
        answer.raise_for_status()
        return answer.json()


def _private(key: str, value: Any) -> bool:
    """An attribute holding a private key (e.g. ``saml.signing.private.key``): compared by presence
    only, so that no message can quote it, not even cut short."""
    return isinstance(value, str) and "private" in key.lower() and bool(value)


def normalise(value: Any, public_url: str) -> Any:
    if isinstance(value, dict):
        return {k.replace(public_url, PUBLIC_URL): PRIVATE if _private(k, v) else normalise(v, public_url)
                for k, v in sorted(value.items()) if k not in DROPPED_KEYS and DEFAULT_ATTRIBUTES.get(k, object()) != v}
    if isinstance(value, list):
        items = [normalise(v, public_url) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        # server-generated ids inside names and JSON strings (e.g. admin permissions' group resources)
        text = UUID.sub("<id>", value.replace(public_url, PUBLIC_URL))
        if text.startswith("[") and text.endswith("]"):
            try:  # a JSON list in a string (policy scopes): its order is not meaningful
                return json.dumps(sorted(json.loads(text), key=lambda v: json.dumps(v, sort_keys=True)))
            except ValueError:
                return text
        return text
    return value


def differences(left: Any, right: Any, path: str = "") -> list[str]:
    """Where two normalised exports differ, as readable key paths; key material is never quoted."""
    return [redact(line) for line in _differences(left, right, path)]


def _differences(left: Any, right: Any, path: str = "") -> list[str]:
    if isinstance(left, dict) and isinstance(right, dict):
        found: list[str] = []
        for key in sorted(set(left) | set(right)):
            if key not in right:
                found.append(f"{path}/{key}: only in the first")
            elif key not in left:
                found.append(f"{path}/{key}: only in the second")
            else:
                found += _differences(left[key], right[key], f"{path}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list) and left != right and _keyed(left) and _keyed(right):
        return _differences(_keyed(left), _keyed(right), path)
    if isinstance(left, list) and isinstance(right, list) and left != right:
        only_left = [v for v in left if v not in right]
        only_right = [v for v in right if v not in left]
        return [f"{path}: only in the first: {json.dumps(v, sort_keys=True)[:300]}" for v in only_left] + \
               [f"{path}: only in the second: {json.dumps(v, sort_keys=True)[:300]}" for v in only_right]
    return [] if left == right else [f"{path}: {json.dumps(left)[:200]} != {json.dumps(right)[:200]}"]


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """A list of named objects as a dict by name (clientId, alias, name, path), when it is one."""
    for key in ("clientId", "alias", "name", "path"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            keyed = {str(i[key]): i for i in items}
            return keyed if len(keyed) == len(items) else None
    return None


def without_creation_defaults(export: dict[str, Any]) -> dict[str, Any]:
    """``export`` without the creation-time defaults above, after checking the federation uses
    neither: no client authenticates with federated JWTs (Keycloak only accepts a client's own
    configured method, so the execution is inert), no flow signs in without a password."""
    realm = export.get("realm")
    federated = [c["clientId"] for c in export.get("clients", [])
                 if c.get("clientAuthenticatorType") == UNUSED_CLIENT_AUTHENTICATOR]
    assert not federated, f"realm {realm}: clients authenticated by federated JWTs: {federated}"
    passwordless = [f["alias"] for f in export.get("authenticationFlows", [])
                    for e in f.get("authenticationExecutions", [])
                    if e.get("authenticator") == "webauthn-authenticator-passwordless"]
    assert not passwordless, f"realm {realm}: flows with passwordless WebAuthn: {passwordless}"
    requesting = [c["clientId"] for c in export.get("clients", [])
                  if UNUSED_CREDENTIAL_SCOPES & {*c.get("defaultClientScopes", []), *c.get("optionalClientScopes", [])}]
    assert not requesting, f"realm {realm}: clients may request Keycloak's natural-person credentials: {requesting}"
    issues = any(s.get("protocol") == "oid4vc" and s["name"] not in UNUSED_CREDENTIAL_SCOPES
                 for s in export.get("clientScopes", []))
    assert issues or not export.get("verifiableCredentialsEnabled"), \
        f"realm {realm}: Keycloak's credential issuer is on, and the realm issues no attestation"
    offered = [r for r in export.get("requiredActions", []) if r.get("alias") == UNUSED_REQUIRED_ACTION]
    assert issues or not any(r.get("enabled") and r.get("defaultAction") for r in offered), \
        f"realm {realm}: every agent is asked to take a verifiable credential"
    roles = dict(export.get("roles") or {})
    client_roles = {client: [r for r in found if not (client == "account" and r.get("name") in UNUSED_ACCOUNT_ROLES)]
                    for client, found in (roles.get("client") or {}).items()}
    scopes = [s for s in export.get("clientScopes", []) if s.get("name") not in UNUSED_CREDENTIAL_SCOPES]
    actions = [r for r in export.get("requiredActions", []) if r.get("alias") != UNUSED_REQUIRED_ACTION]
    without = {**export, "roles": {**roles, "client": client_roles} if "client" in roles else roles,
               "clientScopes": scopes, "requiredActions": actions}
    flows = []
    for flow in export.get("authenticationFlows", []):
        if flow.get("alias") == "clients" and flow.get("builtIn"):
            flow = {**flow, "authenticationExecutions": [
                e for e in flow.get("authenticationExecutions", [])
                if e.get("authenticator") != UNUSED_CLIENT_AUTHENTICATOR]}
        flows.append(flow)
    return {**{k: v for k, v in without.items() if k != UNUSED_POLICY}, "authenticationFlows": flows}


def comparable(export: dict[str, Any]) -> dict[str, Any]:
    """``export`` as two paths given the same ``realms/`` make it: without the creation-time defaults
    (:func:`without_creation_defaults`) and with its key providers by kind (:data:`KEY_PROVIDER`)."""
    export = without_creation_defaults(export)
    components = dict(export.get("components") or {})
    if KEY_PROVIDER in components:
        components[KEY_PROVIDER] = [_key_kind(p) for p in components[KEY_PROVIDER]
                                    if not str(p.get("name", "")).startswith(FALLBACK_KEY)]
    return {**export, "components": components}


def _key_kind(provider: dict[str, Any]) -> dict[str, Any]:
    kind, config = provider.get("providerId"), provider.get("config") or {}
    settings = {**KEY_DEFAULTS, "algorithm": KEY_ALGORITHMS.get(str(kind), "none")}
    return {"key provider": kind, **{k: (config.get(k) or [default])[0] for k, default in settings.items()}}
