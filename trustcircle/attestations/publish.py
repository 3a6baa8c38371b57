"""The federation's trust list from realms/ and the issuers' published keys: every provider that
issues attestations is an issuer node (its realm's URL, its signing keys, its status list), and
the verifiers' rules are the federation's."""

from __future__ import annotations

import json

import requests
from jwcrypto import jwk

from trustcircle import ids
from trustcircle.attestations.trust_list import Issuer, Rules, TrustList
from trustcircle.errors import TrustcircleError
from trustcircle.model.schema import Federation

TIMEOUT_S = 10
STATUS_LIST = "status/1"


def issuer_url(public_url: str, realm: str) -> str:
    return f"{public_url.rstrip('/')}/realms/{realm}"


def status_list_uri(public_url: str, realm: str) -> str:
    return f"{issuer_url(public_url, realm)}/{ids.ATTESTATIONS_RESOURCE}/{STATUS_LIST}"


def trust_list_uri(public_url: str, realm: str) -> str:
    """Where an issuer realm serves the trust list last published in it (``attest trust-list --publish``)."""
    return f"{issuer_url(public_url, realm)}/{ids.ATTESTATIONS_RESOURCE}/trust-list"


def rules(federation: Federation) -> Rules:
    settings = federation.settings.attestation_rules
    verifiers = {v.id: tuple(v.may_request) for p in federation.providers if p.attestations
                 for v in p.attestations.verifiers}
    return Rules(settings.max_status_list_age_hours * 3600, settings.max_trust_list_age_days * 86_400,
                 settings.max_presentation_age_seconds, verifiers)


def signing_keys(issuer: str, ca_bundle: str) -> jwk.JWKSet:
    """The issuer realm's public signing keys (its JWKS, encryption keys left out)."""
    try:
        answer = requests.get(f"{issuer}/protocol/openid-connect/certs", verify=ca_bundle, timeout=TIMEOUT_S)
        answer.raise_for_status()
        keys = [k for k in answer.json()["keys"] if k.get("use", "sig") == "sig"]
    except (requests.RequestException, ValueError, KeyError) as err:
        raise TrustcircleError(f"cannot read the signing keys of {issuer}: {err}",
                               "check that Keycloak runs and the realm exists (./run up)") from err
    return jwk.JWKSet.from_json(json.dumps({"keys": keys}))


def trust_list(federation: Federation, public_url: str, keys: dict[str, jwk.JWKSet], issued_at: int,
               sequence: int) -> TrustList:
    """The trust list: ``keys`` gives each issuer realm's signing keys (by issuer URL)."""
    issuers = tuple(Issuer(issuer_url(public_url, p.realm), p.name, keys[issuer_url(public_url, p.realm)],
                           (status_list_uri(public_url, p.realm),))
                    for p in federation.providers if p.attestations)
    return TrustList(federation.settings.id, issued_at, sequence, issuers, rules(federation))
