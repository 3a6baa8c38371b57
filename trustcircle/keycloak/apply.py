"""Converge a Keycloak target to the desired state without Pulumi (used by Ansible and tests).

Pulumi keeps its own state and deletes what it created; this path only creates and updates, in
dependency order, and reports what changed.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustcircle.compiler.desired import DesiredObject
from trustcircle.deploy.order import dependency_order
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.project import changed_fields


@dataclass(frozen=True)
class Change:
    name: str
    action: str  # "create" | "update"
    fields: tuple[str, ...]


def converge(admin: Admin, objects: list[DesiredObject], dry_run: bool = False) -> list[Change]:
    changes: list[Change] = []
    for obj in dependency_order(objects):
        handler = HANDLERS[obj.ref.kind]
        observed = handler.read(admin, obj.ref.realm, obj.ref.key, obj.spec)
        if observed is None:
            changes.append(Change(obj.ref.name, "create", tuple(sorted(obj.spec))))
            if not dry_run:
                handler.create(admin, obj.ref.realm, obj.ref.key, obj.spec)
            continue
        fields = changed_fields(observed, obj.spec)
        if fields:
            changes.append(Change(obj.ref.name, "update", tuple(fields)))
            if not dry_run:
                handler.update(admin, obj.ref.realm, obj.ref.key, obj.spec)
    return changes
