"""A software security key (WebAuthn, ES256, "none" attestation): what a browser and an
authenticator hand Keycloak's WebAuthn pages, computed here so the suite can register and use one
without a browser. The CBOR encoder covers only what WebAuthn needs (maps, ints, bytes, text)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    raise ValueError(value)


def cbor(value: object) -> bytes:
    if isinstance(value, bool):
        raise TypeError("booleans are not needed")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    raise TypeError(type(value))


@dataclass
class SecurityKey:
    """One credential for one relying party."""

    origin: str
    rp_id: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    sign_count: int = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge.rstrip("="), "origin": self.origin,
                           "crossOrigin": False}).encode()

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def register(self, challenge: str) -> dict[str, str]:
        """The fields of Keycloak's registration form (``navigator.credentials.create`` done)."""
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + b"\x45" + struct.pack(">I", self.sign_count)
                     + bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id
                     + self._cose_key())  # flags: user present, user verified, attested data
        attestation = cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"clientDataJSON": b64url(self._client_data("webauthn.create", challenge)),
                "attestationObject": b64url(attestation), "publicKeyCredentialId": b64url(self.credential_id),
                "authenticatorLabel": "trustcircle test key", "transports": "usb"}

    def sign_in(self, challenge: str, user_handle: bytes | None = None) -> dict[str, str]:
        """The fields of Keycloak's authentication form (``navigator.credentials.get`` done)."""
        self.sign_count += 1
        auth_data = hashlib.sha256(self.rp_id.encode()).digest() + b"\x05" + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", challenge)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                "signature": b64url(signature), "credentialId": b64url(self.credential_id),
                "userHandle": b64url(user_handle) if user_handle else ""}
