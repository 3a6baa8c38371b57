"""The IETF Token Status List (draft-ietf-oauth-status-list): the list of every attestation's
status an issuer publishes, its compressed encoding and the signed Status List Token.

A list holds one status per attestation, ``bits`` (1, 2, 4 or 8) each, index 0 in the least
significant bits of the first byte; ``lst`` is the byte array compressed with DEFLATE in the ZLIB
format (RFC 1950, the highest level), base64url without padding. The token is a JWT of type
``statuslist+jwt`` whose ``sub`` is the list's URI (the ``uri`` an attestation's ``status``
claim names), with ``iat``, ``exp`` and ``ttl``.

The bit packing and zlib are a few lines of standard library; the signatures are jwcrypto's.
"""

from __future__ import annotations

import base64
import json
import zlib
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

VALID, INVALID, SUSPENDED = 0, 1, 2
STATUS_NAMES = {VALID: "valid", INVALID: "revoked", SUSPENDED: "suspended"}
TOKEN_TYPE = "statuslist+jwt"  # noqa: S105 (a media type, not a secret)
MEDIA_TYPE = "application/statuslist+jwt"
BITS = (1, 2, 4, 8)
# a list is at most this many bytes once inflated (a 16 MiB bitstring: 134 million attestations at
# 1 bit): a verifier never inflates a "zip bomb" beyond it
MAX_INFLATED_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """A status list or its token that cannot be used, with the reason."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as err:
        raise StatusListError(f"not base64url: {err}") from err


class StatusList:
    """A mutable list of ``size`` statuses of ``bits`` bits each, all VALID at first."""

    def __init__(self, size: int, bits: int = 1) -> None:
        if bits not in BITS:
            raise StatusListError(f"bits must be one of {BITS}, not {bits}")
        if size < 1:
            raise StatusListError(f"a status list holds at least one status, not {size}")
        self.bits = bits
        self.size = size
        self._bytes = bytearray((size * bits + 7) // 8)

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise StatusListError(f"index {index} is outside the list (0..{self.size - 1})")
        position = index * self.bits
        return position // 8, position % 8

    def get(self, index: int) -> int:
        byte, shift = self._locate(index)
        return (self._bytes[byte] >> shift) & ((1 << self.bits) - 1)

    def set(self, index: int, status: int) -> None:
        if not 0 <= status < (1 << self.bits):
            raise StatusListError(f"status {status} does not fit in {self.bits} bit(s)")
        byte, shift = self._locate(index)
        mask = ((1 << self.bits) - 1) << shift
        self._bytes[byte] = (self._bytes[byte] & ~mask & 0xFF) | (status << shift)

    def encode(self) -> dict[str, Any]:
        """The JSON ``status_list`` object: ``bits`` and the compressed ``lst``."""
        return {"bits": self.bits, "lst": b64url(zlib.compress(bytes(self._bytes), 9))}

    @classmethod
    def decode(cls, encoded: object) -> StatusList:
        """A list from its JSON ``status_list`` object; a clear error for anything else."""
        if not isinstance(encoded, dict) or not isinstance(encoded.get("lst"), str):
            raise StatusListError("status_list must be an object with a string lst")
        bits = encoded.get("bits")
        if not isinstance(bits, int) or bits not in BITS:
            raise StatusListError(f"status_list.bits must be one of {BITS}, not {bits!r}")
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(unb64url(encoded["lst"]), MAX_INFLATED_BYTES)
        except zlib.error as err:
            raise StatusListError(f"status_list.lst is not ZLIB-compressed: {err}") from err
        if inflater.unconsumed_tail:
            raise StatusListError(f"status_list.lst inflates beyond {MAX_INFLATED_BYTES} bytes")
        if not inflater.eof:
            raise StatusListError("status_list.lst is truncated")
        if not raw:
            raise StatusListError("status_list.lst is empty")
        status_list = cls(len(raw) * 8 // bits, bits)
        status_list._bytes = bytearray(raw)
        return status_list


@dataclass(frozen=True)
class StatusListToken:
    """A verified Status List Token: its list, for ``uri``, issued at ``iat``, usable until ``exp``."""

    uri: str
    issued_at: int
    expires_at: int | None
    ttl: int | None
    status_list: StatusList


def sign_token(status_list: StatusList, uri: str, key: jwk.JWK, issued_at: int, lifetime_s: int,
               ttl_s: int, alg: str = "ES256") -> str:
    """The compact Status List Token for ``uri`` signed by ``key`` (its ``kid`` in the header)."""
    header = {"alg": alg, "typ": TOKEN_TYPE, "kid": key.key_id}
    claims = {"sub": uri, "iat": issued_at, "exp": issued_at + lifetime_s, "ttl": ttl_s,
              "status_list": status_list.encode()}
    token = jws.JWS(json.dumps(claims, separators=(",", ":")).encode())
    token.add_signature(key, alg=alg, protected=json.dumps(header))
    return str(token.serialize(compact=True))


def verify_token(token: str, uri: str, keys: jwk.JWKSet, now: int) -> StatusListToken:
    """The token's list, once its signature is one of ``keys``', its type ``statuslist+jwt``, its
    ``sub`` the ``uri`` asked and it has not expired; otherwise a StatusListError saying which."""
    parsed = jws.JWS()
    try:
        parsed.deserialize(token)
    except JWException as err:
        raise StatusListError(f"the status list token for {uri} is not a compact JWS: {err}") from err
    header = parsed.jose_header if isinstance(parsed.jose_header, dict) else {}
    if header.get("typ") != TOKEN_TYPE:
        raise StatusListError(f"the status list token for {uri} has type {header.get('typ')!r}, not {TOKEN_TYPE}")
    candidates = [k for k in keys["keys"] if not header.get("kid") or k.key_id == header.get("kid")]
    for candidate in candidates:
        try:
            parsed.verify(candidate)
            break
        except JWException:
            continue
    else:
        raise StatusListError(f"the status list token for {uri} is not signed by its issuer's keys")
    claims = json.loads(parsed.payload)
    if claims.get("sub") != uri:
        raise StatusListError(f"the status list token is for {claims.get('sub')!r}, not {uri}")
    issued_at = claims.get("iat")
    if not isinstance(issued_at, int):
        raise StatusListError(f"the status list token for {uri} has no iat")
    expires_at = claims.get("exp")
    if expires_at is not None and (not isinstance(expires_at, int) or expires_at <= now):
        raise StatusListError(f"the status list token for {uri} expired at {expires_at}")
    ttl = claims.get("ttl")
    return StatusListToken(uri, issued_at, expires_at, ttl if isinstance(ttl, int) else None,
                           StatusList.decode(claims.get("status_list")))
