"""Verifying a presented attestation (an SD-JWT VC, ``dc+sd-jwt``, with a key-binding JWT), the
same way online and offline: against a trust list, the issuers' status lists (fetched, or the
cached ones), a fresh nonce the verifier chose and the claims it asked for.

The SD-JWT mechanics (issuer signature, disclosures and their digests) are the ``sd-jwt``
library's; signatures are jwcrypto's. What the library leaves to its caller is done here: the
credential's type and validity period, every disclosure being referenced by a digest, the
holder's key-binding JWT (its key, audience, nonce, age and ``sd_hash``), the status list, and
the federation's rules on what a verifier may ask.

A refusal always gives reasons, each a code (stable, for programs) and a sentence (for people).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from jwcrypto import jwk, jws
from jwcrypto.common import JWException
from sd_jwt.verifier import SDJWTVerifier

from trustcircle.attestations import status_list as sl
from trustcircle.attestations.trust_list import Issuer, TrustList

CREDENTIAL_TYPE = "dc+sd-jwt"
KEY_BINDING_TYPE = "kb+jwt"
CLOCK_SKEW_S = 60
# claims of the issuer-signed part that are about the attestation, not the agent: always shown
ENVELOPE = ("iss", "vct", "iat", "nbf", "exp", "status", "cnf")


@dataclass(frozen=True)
class Reason:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Decision:
    """``accepted`` with the claims asked for, or refused with ``reasons``."""

    accepted: bool
    reasons: tuple[Reason, ...] = ()
    claims: dict[str, Any] = field(default_factory=dict)
    issuer: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "issuer": self.issuer, "claims": self.claims,
                "reasons": [{"code": r.code, "message": r.message} for r in self.reasons]}


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.reason = Reason(code, message)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_part(token: str, index: int) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise _Refused("malformed", "the credential is not a compact JWS")
    try:
        value = json.loads(base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4)))
    except ValueError as err:
        raise _Refused("malformed", f"the credential's {'header' if index == 0 else 'payload'} is not JSON") from err
    if not isinstance(value, dict):
        raise _Refused("malformed", "the credential's header or payload is not a JSON object")
    return value


def _digests(value: object) -> Iterator[str]:
    """Every digest an SD-JWT object references: ``_sd`` members and ``{"...": digest}`` items."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "_sd" and isinstance(item, list):
                yield from (d for d in item if isinstance(d, str))
            elif key == "..." and isinstance(item, str) and len(value) == 1:
                yield item
            else:
                yield from _digests(item)
    elif isinstance(value, list):
        for item in value:
            yield from _digests(item)


def _check_disclosures(payload: dict[str, Any], disclosures: list[str]) -> None:
    """Every disclosure presented is referenced by a digest, of the signed payload or of another
    disclosure (the SD-JWT rule the library leaves out): one that is not was altered or added."""
    by_digest: dict[str, Any] = {}
    for disclosure in disclosures:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(disclosure + "=" * (-len(disclosure) % 4)))
        except ValueError as err:
            raise _Refused("disclosure-mismatch", "a disclosure is not base64url-encoded JSON") from err
        by_digest[_b64(hashlib.sha256(disclosure.encode("ascii")).digest())] = decoded
    referenced: set[str] = set()
    pending = list(_digests(payload))
    while pending:
        digest = pending.pop()
        if digest in referenced:
            continue
        referenced.add(digest)
        if digest in by_digest:
            pending.extend(_digests(by_digest[digest]))
    stray = [d for d in by_digest if d not in referenced]
    if stray:
        raise _Refused("disclosure-mismatch", f"{len(stray)} disclosure(s) match no digest the issuer signed")


def _issuer_key(issuer: Issuer) -> Callable[[str, dict[str, Any]], jwk.JWK]:
    def key(_iss: str, header: dict[str, Any]) -> jwk.JWK:
        kid = header.get("kid")
        candidates = [k for k in issuer.keys["keys"] if kid is None or k.key_id == kid]
        if len(candidates) != 1:
            raise _Refused("tampered", f"no single key of {issuer.id} has the credential's kid {kid!r}")
        found: jwk.JWK = candidates[0]
        return found
    return key


def _key_binding(presentation: str, kb_jwt: str, cnf: object, audience: str, nonce: str, now: int,
                 max_age_s: int) -> list[Reason]:
    """The holder's proof of possession: signed by the key the credential binds, for this verifier,
    with its nonce, recent, over exactly this presentation."""
    if not isinstance(cnf, dict) or not isinstance(cnf.get("jwk"), dict):
        return [Reason("no-holder-binding", "the credential binds no holder key (cnf.jwk)")]
    parsed = jws.JWS()
    try:
        parsed.deserialize(kb_jwt)
        parsed.verify(jwk.JWK(**cnf["jwk"]))
    except (JWException, ValueError, TypeError):
        return [Reason("wrong-holder-key", "the presentation is not signed by the key the credential is bound to")]
    header = parsed.jose_header if isinstance(parsed.jose_header, dict) else {}
    claims = json.loads(parsed.payload)
    reasons = []
    if header.get("typ") != KEY_BINDING_TYPE:
        reasons.append(Reason("malformed", f"the key-binding JWT has type {header.get('typ')!r}, "
                                           f"not {KEY_BINDING_TYPE}"))
    if claims.get("aud") != audience:
        reasons.append(Reason("wrong-audience", f"the presentation is for {claims.get('aud')!r}, not {audience!r}"))
    if claims.get("nonce") != nonce:
        reasons.append(Reason("replayed", "the presentation does not carry the nonce this verification asked for"))
    issued = claims.get("iat")
    if not isinstance(issued, int) or issued > now + CLOCK_SKEW_S:
        reasons.append(Reason("replayed", "the presentation's time (iat) is missing or in the future"))
    elif now - issued > max_age_s:
        reasons.append(Reason("replayed", f"the presentation was made {now - issued} s ago; the rules allow "
                                          f"{max_age_s} s"))
    signed_part = presentation[: len(presentation) - len(kb_jwt)]
    if claims.get("sd_hash") != _b64(hashlib.sha256(signed_part.encode("ascii")).digest()):
        reasons.append(Reason("tampered", "the presentation's disclosures are not the ones its holder signed "
                                          "(sd_hash)"))
    return reasons


def _status(payload: dict[str, Any], issuer: Issuer, status_lists: Callable[[str], str | None], now: int,
            max_age_s: int) -> list[Reason]:
    reference = (payload.get("status") or {}).get("status_list") if isinstance(payload.get("status"), dict) else None
    if not isinstance(reference, dict) or not isinstance(reference.get("idx"), int) \
            or not isinstance(reference.get("uri"), str):
        return [Reason("no-status", "the credential carries no status list reference (status.status_list)")]
    uri, index = reference["uri"], reference["idx"]
    if urlparse(uri).scheme != "https":
        return [Reason("status-over-http", f"the status list {uri} is not served over https")]
    if uri not in issuer.status_lists:
        return [Reason("unknown-status-list", f"{uri} is not one of {issuer.id}'s status lists in the trust list")]
    token = status_lists(uri)
    if token is None:
        return [Reason("status-unavailable", f"no copy of the status list {uri}: refresh it online")]
    try:
        verified = sl.verify_token(token, uri, issuer.keys, now)
    except sl.StatusListError as err:
        return [Reason("status-unavailable", str(err))]
    issued = payload.get("iat")
    if isinstance(issued, int) and verified.issued_at < issued:
        # the issuer lists only attestations it has issued: an older list cannot speak of this one
        return [Reason("status-too-old", f"the status list {uri} was published before this credential was issued: "
                                         "refresh it online")]
    age = now - verified.issued_at
    if age > max_age_s:
        return [Reason("status-too-old", f"the status list {uri} is {age} s old; the rules allow {max_age_s} s: "
                                         "refresh it online")]
    try:
        status = verified.status_list.get(index)
    except sl.StatusListError as err:
        return [Reason("no-status", str(err))]
    if status == sl.VALID:
        return []
    name = sl.STATUS_NAMES.get(status, f"status {status}")
    return [Reason("revoked" if status == sl.INVALID else name, f"the issuer's status list says {name}")]


def verify_presentation(presentation: str, trust_list: TrustList, status_lists: Callable[[str], str | None],
                        verifier: str, nonce: str, requested: tuple[str, ...], now: int) -> Decision:
    """Decide on ``presentation`` for ``verifier`` (the key-binding audience), which asked for the
    claims ``requested`` with ``nonce``; ``status_lists`` gives the Status List Token of a URI
    (fetched online, or the cached copy offline; None when there is none)."""
    try:
        return _verify(presentation, trust_list, status_lists, verifier, nonce, requested, now)
    except _Refused as refused:
        return Decision(False, (refused.reason,))


def _verify(presentation: str, trust_list: TrustList, status_lists: Callable[[str], str | None], verifier: str,
            nonce: str, requested: tuple[str, ...], now: int) -> Decision:
    rules = trust_list.rules
    allowed = rules.verifiers.get(verifier, ())
    beyond = [c for c in requested if c not in allowed]
    if beyond:
        raise _Refused("not-allowed", f"the rules do not let {verifier!r} ask for {', '.join(beyond)}")
    parts = presentation.strip().split("~")
    if len(parts) < 2 or not parts[-1]:
        raise _Refused("no-holder-binding", "the presentation has no key-binding JWT")
    credential, disclosures, kb_jwt = parts[0], parts[1:-1], parts[-1]
    header, unverified = _json_part(credential, 0), _json_part(credential, 1)
    if header.get("typ") != CREDENTIAL_TYPE:
        raise _Refused("malformed", f"the credential has type {header.get('typ')!r}, not {CREDENTIAL_TYPE}")
    issuer = trust_list.issuer(str(unverified.get("iss")))
    if issuer is None:
        raise _Refused("unknown-issuer", f"{unverified.get('iss')!r} is not an issuer of the trust list")
    try:
        checked = SDJWTVerifier(presentation.strip(), _issuer_key(issuer))
    except _Refused:
        raise
    except JWException as err:
        raise _Refused("tampered", f"the credential's signature is not {issuer.id}'s") from err
    except (ValueError, KeyError, TypeError) as err:
        raise _Refused("disclosure-mismatch", f"the disclosures do not fit the credential ({err})") from err
    signed = _json_part(credential, 1)
    _check_disclosures(signed, disclosures)
    try:
        claims: dict[str, Any] = checked.get_verified_payload()
    except ValueError as err:
        raise _Refused("disclosure-mismatch", str(err)) from err
    reasons: list[Reason] = []
    expires = signed.get("exp")
    if not isinstance(expires, int):
        reasons.append(Reason("malformed", "the credential has no expiry (exp)"))
    elif expires <= now:
        reasons.append(Reason("expired", f"the credential expired {now - expires} s ago"))
    for claim in ("nbf", "iat"):
        moment = signed.get(claim)
        if isinstance(moment, int) and moment > now + CLOCK_SKEW_S:
            reasons.append(Reason("not-yet-valid", f"the credential's {claim} is {moment - now} s in the future"))
    reasons += _key_binding(presentation.strip(), kb_jwt, signed.get("cnf"), verifier, nonce, now,
                            rules.max_presentation_age_s)
    reasons += _status(signed, issuer, status_lists, now, rules.max_status_list_age_s)
    missing = [c for c in requested if c not in claims]
    if missing:
        reasons.append(Reason("not-disclosed", f"the presentation does not disclose {', '.join(missing)}"))
    if reasons:
        return Decision(False, tuple(reasons), issuer=issuer.id)
    shown = {k: claims[k] for k in ENVELOPE if k in claims and k != "cnf"}
    shown.update({c: claims[c] for c in requested})
    return Decision(True, (), shown, issuer.id)


def cached(copies: Mapping[str, str]) -> Callable[[str], str | None]:
    """A status-list source from copies kept by URI (the offline verifier's cache)."""
    return copies.get
