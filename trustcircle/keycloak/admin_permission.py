"""Delegated administration with Keycloak's fine-grained admin permissions (v2): one scope
permission of a realm's ``admin-permissions`` client, with the group policy naming who holds it.

The desired spec speaks in group paths; Keycloak stores group ids (as resource names and in the
group policy), so paths are resolved on write and ids turned back into paths on read. The
permission's description carries trustcircle's marker (ownership).
"""

from __future__ import annotations

import json
from typing import Any

from trustcircle import ids
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.group import find_group
from trustcircle.keycloak.view import RealmView


def holders_policy(name: str) -> str:
    return f"{name} (holders)"


def _server(admin: Admin, realm: str) -> str | None:
    clients = admin.get(f"/{q(realm)}/clients?clientId=admin-permissions", missing_ok=True) or []
    found = [c for c in clients if c.get("clientId") == "admin-permissions"]
    return f"/{q(realm)}/clients/{found[0]['id']}/authz/resource-server" if found else None


def _by_name(admin: Admin, base: str, kind: str, name: str) -> dict[str, Any] | None:
    items = admin.get(f"{base}/{kind}?name={q(name)}&first=0&max=50") or []
    return next((i for i in items if i.get("name") == name), None)


def _group_ids(admin: Admin, realm: str, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        group = find_group(admin, realm, path)
        if group is None:
            raise KeycloakApiError(f"group {path} missing in realm {realm}", "apply the realm's groups first")
        found.append(str(group["id"]))
    return found


def _paths(admin: Admin, realm: str, group_ids: list[str]) -> list[str]:
    paths = []
    for group_id in group_ids:
        group = admin.get(f"/{q(realm)}/groups/{q(group_id)}", missing_ok=True)
        paths.append(group["path"] if group else f"(deleted group {group_id})")
    return sorted(paths)


def _from_view(view: RealmView, key: str) -> dict[str, Any] | None:
    """The permission as the realm's partial export shows it (policies with JSON-encoded config)."""
    client = view.clients.get("admin-permissions")
    policies = {p["name"]: p for p in ((client or {}).get("authorizationSettings") or {}).get("policies") or []}
    permission = policies.get(key)
    if permission is None:
        return None
    config = permission.get("config") or {}
    resource_type = config.get("defaultResourceType")
    paths = {g["id"]: path for path, g in view.groups.items()}
    holders = [g["path"] for name in json.loads(config.get("applyPolicies") or "[]")
               for g in json.loads((policies.get(name, {}).get("config") or {}).get("groups") or "[]")]
    resources = [paths.get(r, f"(deleted group {r})") for r in json.loads(config.get("resources") or "[]")
                 if r != resource_type]
    return {"name": key, "description": permission.get("description", ""), "resourceType": resource_type,
            "scopes": sorted(json.loads(config.get("scopes") or "[]")), "resources": sorted(resources),
            "holders": sorted(holders)}


class AdminPermissionHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        if view is not None:
            return _from_view(view, key)
        base = _server(admin, realm)
        permission = _by_name(admin, base, "permission", key) if base else None
        if base is None or permission is None:
            return None
        pid = permission["id"]
        policies = admin.get(f"{base}/policy/{pid}/associatedPolicies") or []
        holders: list[str] = []
        for policy in policies:
            if policy.get("type") == "group":
                detail = admin.get(f"{base}/policy/group/{policy['id']}")
                holders += _paths(admin, realm, [g["id"] for g in detail.get("groups", [])])
        # a permission on every object of its type holds the type's own resource (named after it)
        resources = [r for r in admin.get(f"{base}/permission/{pid}/resources") or []
                     if r.get("name") != permission.get("resourceType")]
        return {"name": permission["name"], "description": permission.get("description", ""),
                "resourceType": permission.get("resourceType"),
                "scopes": sorted(s["name"] for s in admin.get(f"{base}/permission/scope/{pid}/scopes") or []),
                "resources": _paths(admin, realm, [r["name"] for r in resources]),
                "holders": sorted(holders)}

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        self.update(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        base = _server(admin, realm)
        if base is None:
            raise KeycloakApiError(f"realm {realm} has no admin-permissions client",
                                   "the realm must have adminPermissionsEnabled: true (applied before its permissions)")
        policy_name = holders_policy(key)
        policy_body: dict[str, Any] = {
            "name": policy_name, "description": ids.MANAGED_BY_MARKER, "logic": "POSITIVE",
            "groups": [{"id": g, "extendChildren": False} for g in _group_ids(admin, realm, spec["holders"])]}
        policy = _by_name(admin, base, "policy", policy_name)
        if policy is None:
            admin.post(f"{base}/policy/group", policy_body)
            policy = _by_name(admin, base, "policy", policy_name)
            assert policy is not None
        else:
            admin.put(f"{base}/policy/group/{policy['id']}", {**policy_body, "id": policy["id"]})
        body = {"name": key, "description": spec["description"], "resourceType": spec["resourceType"],
                "scopes": spec["scopes"], "resources": _group_ids(admin, realm, spec["resources"]),
                "policies": [policy["id"]], "decisionStrategy": "UNANIMOUS"}
        permission = _by_name(admin, base, "permission", key)
        if permission is None:
            admin.post(f"{base}/permission/scope", body)
        else:
            admin.put(f"{base}/permission/scope/{permission['id']}", {**body, "id": permission["id"]})

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        base = _server(admin, realm)
        if base is None:
            return
        for kind, name in (("permission", key), ("policy", holders_policy(key))):
            found = _by_name(admin, base, kind, name)
            if found is not None:
                admin.delete(f"{base}/policy/{found['id']}")
