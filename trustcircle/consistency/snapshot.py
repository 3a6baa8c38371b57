"""The initial values of a provider realm's access accounts, saved before its first synchronisation,
and ``rollback``, which puts them back.

The snapshot is personal data (names, e-mails, addresses): one JSON-lines file per provider realm
under the local state (``$TRUSTCIRCLE_STATE/consistency/<federation>/``), readable by its owner only
(directory 0700, file 0600), written whole or not at all (a temporary file renamed once complete),
never overwritten. ``rollback`` writes back, account by account, only what differs: it can be
interrupted and run again, and a second run changes nothing. It names the applications (clients)
each changed account reaches, so offices know what to check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustcircle import ids
from trustcircle.consistency.accounts import access_accounts, links
from trustcircle.consistency.checker import write
from trustcircle.consistency.rules import ATTRIBUTES, NAMES, Plan
from trustcircle.errors import ConfigurationError, KeycloakApiError
from trustcircle.keycloak.admin import Admin, q

KIND = "trustcircle consistency snapshot"
KEPT = (*NAMES, *ATTRIBUTES, ids.CONSISTENCY_DISABLED_ATTR)


def path(state: Path, federation: str, provider: str) -> Path:
    return state / "consistency" / federation / f"{provider}.snapshot.jsonl"


def _values(rep: dict[str, Any]) -> dict[str, str]:
    attributes = rep.get("attributes") or {}
    return {n: v for n in KEPT if (v := rep.get(n) if n in NAMES else (attributes.get(n) or [None])[0])}


def take(admin: Admin, state: Path, federation: str, provider: str) -> tuple[Path, int]:
    """Save the provider realm's access accounts; refuses to replace a snapshot (the initial values
    are the ones before the first synchronisation, not today's)."""
    target = path(state, federation, provider)
    if target.exists():
        raise ConfigurationError(f"{target} exists: the initial values of {provider} were saved on "
                                 f"{_header(target)['taken']}", "roll back with it, or delete it once the "
                                 "synchronisation is accepted (trustcircle consistency forget)")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(target.parent, 0o700)
    part = target.with_suffix(".part")
    part.unlink(missing_ok=True)  # an interrupted earlier attempt
    count = 0
    with os.fdopen(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write(json.dumps({"kind": KIND, "version": 1, "federation": federation, "realm": provider,
                              "taken": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}) + "\n")
        for link in (lk for lk in links(admin, federation) if lk.provider == provider):
            for _, rep in access_accounts(admin, link):
                out.write(json.dumps({"id": rep["id"], "username": rep["username"], "organisation": link.organisation,
                                      "enabled": bool(rep.get("enabled")), "values": _values(rep)},
                                     ensure_ascii=False) + "\n")
                count += 1
        out.flush()
        os.fsync(out.fileno())
    part.rename(target)
    return target, count


def _header(target: Path) -> dict[str, Any]:
    with target.open(encoding="utf-8") as lines:
        header: dict[str, Any] = json.loads(lines.readline())
    if header.get("kind") != KIND or header.get("version") != 1:
        raise ConfigurationError(f"{target} is not a trustcircle consistency snapshot (version 1)",
                                 "give the file `trustcircle consistency snapshot` wrote")
    return header


def records(target: Path) -> Iterator[dict[str, Any]]:
    _header(target)
    with target.open(encoding="utf-8") as lines:
        next(lines)
        for number, line in enumerate(lines, start=2):
            try:
                yield json.loads(line)
            except json.JSONDecodeError as err:
                raise ConfigurationError(f"{target}:{number}: not a JSON line ({err.msg})",
                                         "the snapshot was altered: restore it from the backup") from err


@dataclass
class Rollback:
    restored: list[str] = field(default_factory=list)
    clients: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    unchanged: int = 0


def _restore_plan(saved: dict[str, Any], rep: dict[str, Any]) -> Plan:
    now, was = _values(rep), saved["values"]
    changes = {n: was.get(n, "") for n in KEPT if n != ids.CONSISTENCY_DISABLED_ATTR and now.get(n) != was.get(n)}
    marker = was.get(ids.CONSISTENCY_DISABLED_ATTR, "")
    return Plan(enable=None if bool(rep.get("enabled")) == saved["enabled"] else saved["enabled"],
                disabled_by=None if now.get(ids.CONSISTENCY_DISABLED_ATTR, "") == marker else marker, set=changes)


def rollback(admin: Admin, target: Path) -> Rollback:
    realm = _header(target)["realm"]
    result = Rollback()
    for saved in records(target):
        try:
            rep = admin.get(f"/{q(realm)}/users/{saved['id']}", missing_ok=True)
            if rep is None:
                result.problems.append(f"{saved['username']}: no longer at {realm}; nothing to restore")
                continue
            todo = _restore_plan(saved, rep)
            if not todo.changes():
                result.unchanged += 1
                continue
            write(admin, realm, rep, todo)
            result.restored.append(saved["username"])
            result.clients |= reached(admin, realm, saved["id"])
        except KeycloakApiError as err:
            result.problems.append(f"{saved['username']}: not restored: {err}")
    return result


def reached(admin: Admin, realm: str, user_id: str) -> set[str]:
    """The clients whose roles the account holds, directly or through its groups."""
    clients = set(admin.get(f"/{q(realm)}/users/{user_id}/role-mappings").get("clientMappings") or {})
    for group in admin.get(f"/{q(realm)}/users/{user_id}/groups?briefRepresentation=false"):
        clients |= set(group.get("clientRoles") or {})
    return clients
