"""A realm's rotated keys as Keycloak holds them: its key providers (components of type
``org.keycloak.keys.KeyProvider``) for the two uses a rotation covers, with the key each gives.

Two uses: **signing** (RS256: SAML assertions, responses and requests, tokens) and **encryption**
(RSA-OAEP: assertions encrypted to the realm). A provider is *active* (it signs, or is published to
encrypt to), *passive* (enabled, not active: it still verifies and decrypts) or disabled.

The state of a rotation lives in Keycloak only, in the providers' names (Keycloak keeps no other
property of a key provider than those its type declares), so any machine with the admin credentials
sees it: a provider a rotation made is named ``trustcircle rotation <id> (signing)``, one it retires
(passive until ``finish`` removes it) gets `` [retiring: trustcircle rotation <id>]`` after its name;
the id is the rotation's start, UTC (``20261201T120000Z``). Neither path of ``realms/`` owns key
providers (docs/ownership.md): ``pulumi up`` and ``trustcircle apply`` never read or write them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from base64 import b64decode
from dataclasses import dataclass, field
from typing import Any

from trustcircle.keycloak.admin import Admin, q

KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
ID_FORMAT = "%Y%m%dT%H%M%SZ"
MADE = re.compile(r"^trustcircle rotation (\d{8}T\d{6}Z) \((?:signing|encryption)\)")
RETIRING = re.compile(r"^(.*) \[retiring: trustcircle rotation (\d{8}T\d{6}Z)\]$")


@dataclass(frozen=True)
class Use:
    name: str  # as people read it
    keycloak_use: str  # the key's use in Keycloak's /keys
    algorithm: str
    provider_id: str  # the generated provider a rotation adds


SIGNING = Use("signing", "SIG", "RS256", "rsa-generated")
ENCRYPTION = Use("encryption", "ENC", "RSA-OAEP", "rsa-enc-generated")
USES = (SIGNING, ENCRYPTION)


@dataclass(frozen=True)
class Provider:
    """One key provider of a realm, for one of :data:`USES`."""

    id: str
    name: str
    use: Use
    priority: int
    enabled: bool
    active: bool
    kid: str | None
    certificate: str | None  # base64 DER, as Keycloak gives it
    rotation: str | None  # the rotation that made it
    retiring: str | None  # the rotation that retires it
    component: dict[str, Any] = field(repr=False, compare=False)  # as read: what a PUT sends back

    @property
    def passive(self) -> bool:
        return self.enabled and not self.active

    def fingerprint(self) -> str:
        """SHA-256 of the certificate (what an e-service holding the certificate compares)."""
        if not self.certificate:
            return "-"
        digest = hashlib.sha256(b64decode(self.certificate)).hexdigest().upper()
        return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))

    @property
    def base_name(self) -> str:
        """The name without the retiring mark (what it was called before the rotation)."""
        found = RETIRING.match(self.name)
        return found.group(1) if found else self.name

    def describe(self) -> str:
        state = "active" if self.enabled and self.active else "passive" if self.passive else "disabled"
        return f"{self.use.name} key {self.kid or '?'} ({state}, priority {self.priority}, provider {self.name!r})"


@dataclass(frozen=True)
class RealmKeys:
    realm: str
    realm_id: str
    providers: tuple[Provider, ...]

    def of(self, use: Use) -> list[Provider]:
        return [p for p in self.providers if p.use == use]

    def current(self, use: Use) -> list[Provider]:
        """The enabled, active providers of ``use``, highest priority (the one Keycloak uses) first."""
        return sorted((p for p in self.of(use) if p.enabled and p.active), key=lambda p: -p.priority)

    @property
    def retiring(self) -> list[Provider]:
        return [p for p in self.providers if p.retiring]

    @property
    def made(self) -> list[Provider]:
        """The providers the rotation in progress made (the ones that sign and are encrypted to)."""
        ids = {p.retiring for p in self.retiring}
        return [p for p in self.providers if p.rotation in ids and not p.retiring]

    @property
    def rotation(self) -> str | None:
        """The id of the rotation in progress (old keys still there, retiring), else None."""
        return max((p.retiring for p in self.retiring if p.retiring), default=None)

    def stray_passive(self) -> list[Provider]:
        """Passive providers no rotation retires: made passive by hand (start refuses to guess)."""
        return [p for p in self.providers if p.passive and not p.retiring]


def made_name(use: Use, rotation: str) -> str:
    return f"trustcircle rotation {rotation} ({use.name})"


def retiring_name(base: str, rotation: str) -> str:
    return f"{base} [retiring: trustcircle rotation {rotation}]"


def rotation_id(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).strftime(ID_FORMAT)


def started_at(rotation: str) -> dt.datetime:
    return dt.datetime.strptime(rotation, ID_FORMAT).replace(tzinfo=dt.UTC)


def _first(config: dict[str, list[str]], key: str) -> str | None:
    values = config.get(key) or []
    return values[0] if values else None


def _flag(config: dict[str, list[str]], key: str) -> bool:
    return (_first(config, key) or "true").lower() == "true"  # Keycloak's default: enabled, active


def providers_of(components: list[dict[str, Any]], keys: list[dict[str, Any]]) -> tuple[Provider, ...]:
    """The providers of :data:`USES` among ``components`` (the realm's key providers), each with the
    key ``keys`` (the realm's ``/keys``) says it gives; a provider is of a use by its key."""
    found = []
    for component in components:
        config = component.get("config") or {}
        key = next((k for k in keys if k.get("providerId") == component["id"]
                    and any(k.get("use") == u.keycloak_use and k.get("algorithm") == u.algorithm for u in USES)), None)
        if key is None:
            continue
        use = next(u for u in USES if key.get("use") == u.keycloak_use and key.get("algorithm") == u.algorithm)
        name = component.get("name") or ""
        retiring = RETIRING.match(name)
        made = MADE.match(retiring.group(1) if retiring else name)
        found.append(Provider(
            id=component["id"], name=name, use=use,
            priority=int(_first(config, "priority") or 0), enabled=_flag(config, "enabled"),
            active=_flag(config, "active"), kid=key.get("kid"), certificate=key.get("certificate"),
            rotation=made.group(1) if made else None, retiring=retiring.group(2) if retiring else None,
            component=component))
    return tuple(sorted(found, key=lambda p: (p.use.name, -p.priority, p.id)))


def read(admin: Admin, realm: str) -> RealmKeys:
    """The realm's providers of :data:`USES`, read fresh (three calls)."""
    realm_id = admin.get(f"/{q(realm)}")["id"]
    components = admin.get(f"/{q(realm)}/components?parent={q(realm_id)}&type={KEY_PROVIDER}")
    keys = admin.get(f"/{q(realm)}/keys").get("keys") or []
    return RealmKeys(realm, realm_id, providers_of(components, keys))
