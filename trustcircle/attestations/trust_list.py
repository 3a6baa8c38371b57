"""The federation's trust list (metadata catalogue): a signed document naming the nodes that issue
attestations, with their keys and status-list locations, and the central business rules every
verifier applies (which claims a verifier may ask for, how old an offline status list or trust
list may be). Verifiers refresh it when online and keep the last one for offline use.

It is a compact JWS of type ``trustcircle-trust-list+jwt`` signed by the federation's trust-list
key, whose public half a verifier is given when it is set up (never fetched along with the list).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

TOKEN_TYPE = "trustcircle-trust-list+jwt"  # noqa: S105 (a media type, not a secret)


class TrustListError(ValueError):
    """A trust list that cannot be used, with the reason."""


@dataclass(frozen=True)
class Issuer:
    """A node issuing attestations: ``id`` is the ``iss`` of its attestations."""

    id: str
    name: str
    keys: jwk.JWKSet
    status_lists: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """The federation's rules for verifiers."""

    max_status_list_age_s: int
    max_trust_list_age_s: int
    max_presentation_age_s: int
    # per verifier: the claims it may ask for (a verifier not named may ask for none)
    verifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"max_status_list_age_s": self.max_status_list_age_s,
                "max_trust_list_age_s": self.max_trust_list_age_s,
                "max_presentation_age_s": self.max_presentation_age_s,
                "verifiers": {name: list(claims) for name, claims in sorted(self.verifiers.items())}}


@dataclass(frozen=True)
class TrustList:
    federation: str
    issued_at: int
    sequence: int
    issuers: tuple[Issuer, ...]
    rules: Rules

    def issuer(self, issuer_id: str) -> Issuer | None:
        return next((i for i in self.issuers if i.id == issuer_id), None)


def _https(url: str, what: str) -> str:
    if urlparse(url).scheme != "https":
        raise TrustListError(f"{what} {url!r} is not an https URL")
    return url


def sign(trust_list: TrustList, key: jwk.JWK, alg: str = "ES256") -> str:
    """The compact, signed trust list."""
    claims = {
        "iss": trust_list.federation, "iat": trust_list.issued_at, "sequence": trust_list.sequence,
        "issuers": [{"id": i.id, "name": i.name, "jwks": json.loads(i.keys.export(private_keys=False)),
                     "status_lists": list(i.status_lists)} for i in trust_list.issuers],
        "rules": trust_list.rules.as_dict(),
    }
    token = jws.JWS(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    token.add_signature(key, alg=alg, protected=json.dumps({"alg": alg, "typ": TOKEN_TYPE, "kid": key.key_id}))
    return str(token.serialize(compact=True))


def verify(token: str, federation_key: jwk.JWK, now: int, older: TrustList | None = None) -> TrustList:
    """The trust list, once signed by ``federation_key``, of its type, not older than its own
    rules allow at ``now`` and not older than ``older`` (the one a verifier holds: a list is never
    replaced by an earlier one); otherwise a TrustListError saying which."""
    parsed = jws.JWS()
    try:
        parsed.deserialize(token)
        parsed.verify(federation_key)
    except JWException as err:
        raise TrustListError(f"the trust list is not signed by the federation's key ({err})") from err
    header = parsed.jose_header if isinstance(parsed.jose_header, dict) else {}
    if header.get("typ") != TOKEN_TYPE:
        raise TrustListError(f"the trust list has type {header.get('typ')!r}, not {TOKEN_TYPE}")
    claims = json.loads(parsed.payload)
    try:
        rules_claim = claims["rules"]
        rules = Rules(int(rules_claim["max_status_list_age_s"]), int(rules_claim["max_trust_list_age_s"]),
                      int(rules_claim["max_presentation_age_s"]),
                      {str(k): tuple(str(c) for c in v) for k, v in dict(rules_claim.get("verifiers", {})).items()})
        issuers = tuple(
            Issuer(_https(str(i["id"]), "issuer"), str(i["name"]), jwk.JWKSet.from_json(json.dumps(i["jwks"])),
                   tuple(_https(str(u), "status list") for u in i["status_lists"]))
            for i in claims["issuers"])
        trust_list = TrustList(str(claims["iss"]), int(claims["iat"]), int(claims["sequence"]), issuers, rules)
    except (KeyError, TypeError, ValueError, JWException) as err:
        if isinstance(err, TrustListError):
            raise
        raise TrustListError(f"the trust list is malformed: {err!r}") from err
    age = now - trust_list.issued_at
    if age > rules.max_trust_list_age_s:
        raise TrustListError(f"the trust list is {age} s old; the rules allow {rules.max_trust_list_age_s} s: "
                             "refresh it online")
    if older is not None and trust_list.sequence < older.sequence:
        raise TrustListError(f"the trust list is number {trust_list.sequence}, older than the one held "
                             f"({older.sequence})")
    return trust_list
