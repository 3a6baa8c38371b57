"""Groups, addressed by path, with managed attributes and client role mappings.

Only the attributes the compiler sets are compared and written; others (set by delegated
administrators) are kept. Client role mappings of the group are managed entirely.
"""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.client import find_client
from trustcircle.keycloak.project import project


def find_group(admin: Admin, realm: str, path: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = admin.get(f"/{q(realm)}/group-by-path/{path.lstrip('/')}", missing_ok=True)
    return found


def _client_roles(admin: Admin, realm: str, group_id: str) -> dict[str, list[str]]:
    mappings = admin.get(f"/{q(realm)}/groups/{group_id}/role-mappings").get("clientMappings", {})
    return {m["client"]: sorted(r["name"] for r in m["mappings"]) for m in mappings.values()}


class GroupHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        if view is not None:
            group = view.groups.get(key)
            if group is None:
                return None
        else:
            group = find_group(admin, realm, key)
            if group is None:
                return None
            group["clientRoles"] = _client_roles(admin, realm, group["id"])
        observed: dict[str, Any] = project(group, spec)
        # role mappings on clients the desired state does not mention are drift too
        observed["clientRoles"].update({c: r for c, r in group["clientRoles"].items() if c not in spec["clientRoles"]})
        return observed

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        parent_path = key.rsplit("/", 1)[0]
        body = {"name": spec["name"], "attributes": spec["attributes"]}
        if parent_path:
            parent = find_group(admin, realm, parent_path)
            if parent is None:
                raise AssertionError(f"parent group {parent_path} missing in {realm}")
            admin.post(f"/{q(realm)}/groups/{parent['id']}/children", body)
        else:
            admin.post(f"/{q(realm)}/groups", body)
        self._sync_roles(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        group = find_group(admin, realm, key)
        if group is None:
            self.create(admin, realm, key, spec)
            return
        attributes = {**group.get("attributes", {}), **spec["attributes"]}
        admin.put(f"/{q(realm)}/groups/{group['id']}", {"name": spec["name"], "attributes": attributes})
        self._sync_roles(admin, realm, key, spec)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        group = find_group(admin, realm, key)
        if group is not None:
            admin.delete(f"/{q(realm)}/groups/{group['id']}")

    def _sync_roles(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        group = find_group(admin, realm, key)
        assert group is not None
        current = _client_roles(admin, realm, group["id"])
        wanted: dict[str, list[str]] = spec["clientRoles"]
        for client_id in sorted(set(current) | set(wanted)):
            have, want = set(current.get(client_id, [])), set(wanted.get(client_id, []))
            if have == want:
                continue
            client = find_client(admin, realm, client_id)
            if client is None:
                continue
            base = f"/{q(realm)}/groups/{group['id']}/role-mappings/clients/{client['id']}"
            roles = {r["name"]: r for r in admin.get(f"/{q(realm)}/clients/{client['id']}/roles")}
            if want - have:
                admin.post(base, [roles[n] for n in sorted(want - have)])
            if have - want:
                admin.delete(base, [roles[n] for n in sorted(have - want) if n in roles])
