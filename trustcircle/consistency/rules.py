"""What an access account must become so that it follows its root account (pure).

The same rules as the extension's listener (``extensions/consistency``: ``Reconciliation``), checked
against the same vectors (``extensions/consistency/src/test/resources/reconciliation-vectors.json``):

- a root account that is not active (disabled, archived, deleted) disables an enabled access
  account, records why and ends its sessions; an access account someone else disabled stays so;
- an active root account re-enables only an access account these rules disabled;
- the synchronised attributes take the root account's values (status and source included); for a
  deleted root account only the status changes: nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from trustcircle import ids

ACTIVE, INACTIVE, ARCHIVED = "active", "inactive", "archived"
NAMES = ("firstName", "lastName", "email")  # the account's own fields; the others are attributes
ATTRIBUTES = ("addressLine1", "addressLine2", ids.STATUS_ATTR, ids.SOURCE_ATTR)


@dataclass(frozen=True)
class Home:
    """The root account: ``values`` by their name on the access account."""

    exists: bool
    status: str
    values: Mapping[str, str] = field(default_factory=dict)


DELETED = Home(False, ARCHIVED)


def status_of(enabled: bool, home_status: str | None) -> str:
    if home_status == ARCHIVED:
        return ARCHIVED
    return ACTIVE if enabled else INACTIVE


def source_of(realm: str) -> str:
    """The source system of an identity whose root account is in Keycloak realm ``realm``."""
    return f"keycloak/{realm}"


@dataclass(frozen=True)
class Access:
    enabled: bool
    disabled_by: str | None
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """``enable``: None leaves it; ``disabled_by``: "" removes the marker; ``set``: "" removes the value."""

    enable: bool | None = None
    disabled_by: str | None = None
    set: Mapping[str, str] = field(default_factory=dict)
    end_sessions: bool = False

    def changes(self) -> bool:
        return self.enable is not None or self.disabled_by is not None or bool(self.set) or self.end_sessions

    def describe(self) -> str:
        parts = []
        if self.enable is not None:
            parts.append("enable" if self.enable else f"disable ({self.disabled_by})")
        elif self.disabled_by:
            parts.append(f"disabled: now {self.disabled_by}")
        if self.end_sessions:
            parts.append("end its sessions")
        if self.set:
            parts.append("set " + ", ".join(f"{k}={v!r}" if v else f"{k} removed" for k, v in sorted(self.set.items())))
        return "; ".join(parts)


def _blank(value: str | None) -> str | None:
    return value or None


def plan(home: Home, access: Access, synchronised: list[str]) -> Plan:
    enable: bool | None = None
    disabled_by: str | None = None
    end = False
    if home.status != ACTIVE:
        reason = f"home account {home.status}" if home.exists else "home account deleted"
        if access.enabled:
            enable, disabled_by, end = False, reason, True
        elif access.disabled_by is not None and access.disabled_by != reason:
            disabled_by = reason
    elif not access.enabled and access.disabled_by is not None:
        enable, disabled_by = True, ""
    changes: dict[str, str] = {}
    for name in synchronised:
        if not home.exists and name != ids.STATUS_ATTR:
            continue  # a deleted root account: only its status is known
        want = home.status if name == ids.STATUS_ATTR else home.values.get(name)
        if _blank(want) != _blank(access.values.get(name)):
            changes[name] = want or ""
    return Plan(enable, disabled_by, changes, end)
