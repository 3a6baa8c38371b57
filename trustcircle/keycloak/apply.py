"""Converge a Keycloak target to the desired state without Pulumi (``trustcircle apply``, Ansible),
under the ownership contract of ``keycloak/ownership.py``, the same one ``pulumi up`` follows.

First everything is read: an object of a declared name that trustcircle did not make stops the run
before any write. Then declared objects are created or updated in dependency order, and owned
objects ``realms/`` no longer declares are removed (realms retained). The changes are returned
(none on a second run).
"""

from __future__ import annotations

from dataclasses import dataclass

from trustcircle.compiler.desired import DesiredObject
from trustcircle.compiler.order import dependency_order
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.ownership import create, is_owned, refusal, remove, undeclared
from trustcircle.keycloak.project import changed_fields


@dataclass(frozen=True)
class Change:
    name: str
    action: str  # "create" | "update" | "delete"
    fields: tuple[str, ...]


def _plan(admin: Admin, objects: list[DesiredObject]) -> list[tuple[DesiredObject, Change]]:
    """What to write for each declared object; every refusal at once, before anything is written."""
    steps: list[tuple[DesiredObject, Change]] = []
    refused: list[KeycloakApiError] = []
    for obj in dependency_order(objects):
        observed = HANDLERS[obj.ref.kind].read(admin, obj.ref.realm, obj.ref.key, obj.spec)
        if observed is None:
            steps.append((obj, Change(obj.ref.name, "create", tuple(sorted(obj.spec)))))
        elif not is_owned(obj.ref.kind, obj.ref.key, observed):
            refused.append(refusal(obj.ref))
        elif fields := changed_fields(observed, obj.spec):
            steps.append((obj, Change(obj.ref.name, "update", tuple(fields))))
    if refused:
        raise KeycloakApiError("; ".join(str(r) for r in refused), f"{refused[0].hint}; nothing was changed")
    return steps


def converge(admin: Admin, objects: list[DesiredObject], federation: str, dry_run: bool = False) -> list[Change]:
    """Make ``federation``'s part of the target equal to ``objects``; with ``dry_run`` only say what
    would change."""
    steps = _plan(admin, objects)
    removals = undeclared(admin, federation, [o.ref for o in objects])
    changes = [change for _, change in steps] + [Change(ref.name, "delete", ()) for ref in removals]
    if dry_run:
        return changes
    for obj, change in steps:
        if change.action == "create":
            create(admin, obj.ref, obj.spec)
        else:
            HANDLERS[obj.ref.kind].update(admin, obj.ref.realm, obj.ref.key, obj.spec)
    remove(admin, removals)
    return changes
