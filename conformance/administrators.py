"""Administrators and habilitation managers of an organisation, made for a test: a password, the
administrative group, and, if asked, an authenticator app already enrolled."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
import time
from dataclasses import dataclass

from trustcircle.keycloak.admin import Admin, q

REALM = "cd33"


@dataclass
class Person:
    user_id: str
    username: str
    password: str
    otp_key: bytes | None


def totp(key: bytes, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s): what the administrator's authenticator app shows."""
    digest = hmac.new(key, struct.pack(">Q", int(at or time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def otp_credential(key: bytes) -> dict[str, str]:
    """An enrolled authenticator app (TOTP, SHA-1, 6 digits, 30 s), as Keycloak stores it."""
    return {"type": "otp", "secretData": json.dumps({"value": key.decode()}),
            "credentialData": json.dumps({"subType": "totp", "digits": 6, "counter": 0, "period": 30,
                                          "algorithm": "HmacSHA1"})}


def make_person(admin: Admin, group: str | None, with_otp: bool, required_actions: tuple[str, ...] = (),
                realm: str = REALM) -> Person:
    """A new user of ``realm`` (cd33) with a password, in ``group``, optionally with an enrolled
    authenticator app."""
    username = f"adm-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)[:14] + "aA1!"
    key = secrets.token_hex(10).encode() if with_otp else None
    credentials = [{"type": "password", "value": password, "temporary": False}]
    if key is not None:
        credentials.append(otp_credential(key))
    user_id = admin.post(f"/{q(realm)}/users", {"username": username, "enabled": True, "emailVerified": True,
                                             "email": f"{username}@cd33.example", "firstName": "Claude",
                                             "lastName": "Admin", "credentials": credentials,
                                             "requiredActions": list(required_actions)})
    assert user_id is not None
    if group is not None:
        found = admin.get(f"/{q(realm)}/group-by-path/{q(group)}")
        admin.put(f"/{q(realm)}/users/{user_id}/groups/{found['id']}", {})
    return Person(user_id, username, password, key)
