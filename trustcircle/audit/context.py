"""What the audit commands read beside the trail: the model (which realm is which organisation's,
which client is which service, the federation's time zone) and, when reachable, Keycloak's admin
API for the usernames the trail does not carry."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from trustcircle.audit.people import Directory, Lookup
from trustcircle.audit.records import Record
from trustcircle.errors import TrustcircleError
from trustcircle.model.loader import load_federation


@dataclass(frozen=True)
class Context:
    organisation_of_realm: dict[str, str]
    service_of_client: dict[str, str]
    zone: ZoneInfo
    lookup: Lookup | None

    def directory(self, records: Iterable[Record]) -> Directory:
        return Directory(records, self.organisation_of_realm, self.lookup)


def admin_lookup() -> Lookup | None:
    """Usernames from the target's admin API, or None when it cannot be reached (the trail alone then)."""
    from trustcircle.keycloak.admin import Admin, q
    from trustcircle.target import Target

    try:
        admin = Admin(Target.load())
    except (TrustcircleError, OSError):
        return None

    def lookup(realm: str, user: str) -> str | None:
        try:
            found = admin.get(f"/{q(realm)}/users/{q(user)}", missing_ok=True)
        except TrustcircleError:
            return None
        return str(found["username"]) if isinstance(found, dict) and found.get("username") else None

    return lookup


def load(realms: Path, use_admin: bool) -> Context:
    federation = load_federation([realms])
    return Context({o.realm: o.id for o in federation.organisations if o.realm},
                   {s.client_id: s.id for p in federation.providers for s in p.services},
                   ZoneInfo(federation.settings.timezone), admin_lookup() if use_admin else None)
