"""Delegated administration: who may administer what in a realm, as Keycloak objects.

An organisation realm's administrators and habilitation managers are groups holding only the
realm-management *query* roles (and the audit trail's ``view-events`` for administrators): with
``manage-users`` or ``view-users`` Keycloak would let them do anything to any user or group. What
they may do comes from fine-grained admin permissions (v2) on the realm's ``admin-permissions``
client, each held by the groups named in its policy:

- both hold the permission to see, create and edit the agents' accounts, reset passwords and
  manage group memberships; administrators also read the realm's events (``view-events``).
  Keycloak 26.5 evaluates all the permissions on "all users" unanimously, so a permission held by
  administrators alone would also refuse habilitation managers their membership changes (tried,
  even with one permission per scope): the extension's delegation guard
  (``extensions/delegation-guard``) refuses habilitation managers every admin request but reads
  and membership changes;
- both may put agents in, or take them out of, **only the groups that conventions in force name**:
  any other group, including the administrative groups themselves, answers 403.

A provider realm's own administrators keep read-only realm-management roles plus ``manage-users``
(brokered accounts): configuration is code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustcircle import ids
from trustcircle.compiler.desired import DesiredObject, Ref
from trustcircle.model.schema import Organisation

# field of the organisation → (group, realm-management roles)
ADMIN_GROUPS: dict[str, tuple[str, list[str]]] = {
    "administrators": (ids.ADMINISTRATORS_GROUP, ["query-groups", "query-users", "view-events"]),
    "habilitation_managers": (ids.HABILITATION_MANAGERS_GROUP, ["query-groups", "query-users"]),
}
PROVIDER_ADMIN_ROLES = ["manage-users", "query-groups", "query-users", "view-clients", "view-events",
                        "view-identity-providers", "view-realm", "view-users"]
MANAGE_AGENTS = "trustcircle: manage agents and their memberships"
GRANT_CONVENTION_GROUPS = "trustcircle: grant the conventions' groups"


def _admin_group(realm_ref: Ref, name: str, roles: list[str], people: list[str]) -> DesiredObject:
    spec = {"name": name, "path": f"/{name}", "clientRoles": {"realm-management": roles},
            "attributes": {ids.MANAGED_BY_ATTR: [ids.MANAGED_BY], ids.DESIGNATED_ATTR: sorted(people)}}
    return DesiredObject(Ref("group", realm_ref.key, f"/{name}"), spec, (realm_ref,))


def provider_administrators(realm_ref: Ref, people: list[str]) -> DesiredObject:
    return _admin_group(realm_ref, ids.ADMINISTRATORS_GROUP, PROVIDER_ADMIN_ROLES, people)


def _permission(realm_ref: Ref, name: str, resource_type: str, scopes: list[str], holders: list[str],
                resources: list[str] | None = None) -> DesiredObject:
    spec: dict[str, Any] = {"name": name, "description": ids.MANAGED_BY_MARKER, "resourceType": resource_type,
                            "scopes": sorted(scopes), "resources": sorted(resources or []),
                            "holders": sorted(holders)}
    deps = (realm_ref, *(Ref("group", realm_ref.key, p) for p in [*holders, *(resources or [])]))
    return DesiredObject(Ref("admin_permission", realm_ref.key, name), spec, deps)


def organisation_delegates(org: Organisation, realm_ref: Ref, granted: set[str]) -> Iterator[DesiredObject]:
    """The administrative groups the model names, and the permissions they hold."""
    holders: dict[str, str] = {}
    for field, (name, roles) in ADMIN_GROUPS.items():
        people: list[str] = getattr(org, field)
        if people:
            holders[field] = f"/{name}"
            yield _admin_group(realm_ref, name, roles, people)
    if not holders:
        return
    everyone = sorted(holders.values())
    yield _permission(realm_ref, MANAGE_AGENTS, "Users",
                      ["manage", "manage-group-membership", "reset-password", "view"], everyone)
    declared = {g.id for g in org.groups}
    groups = sorted(f"/{g}" for g in granted & declared)
    if groups:
        yield _permission(realm_ref, GRANT_CONVENTION_GROUPS, "Groups", ["view", "view-members", "manage-membership"],
                          everyone, groups)
