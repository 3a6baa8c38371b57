"""Clients (SAML and OIDC) with their protocol mappers, client roles and client scopes."""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.named import sync_named
from trustcircle.keycloak.project import project

SUB_OBJECTS = ("protocolMappers", "roles", "defaultClientScopes", "optionalClientScopes")


def find_client(admin: Admin, realm: str, client_id: str) -> dict[str, Any] | None:
    found = admin.get(f"/{q(realm)}/clients?clientId={q(client_id)}&max=2")
    return next((c for c in found if c["clientId"] == client_id), None)


class ClientHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        if view is not None:
            client = view.clients.get(key)
            return None if client is None else project(client, spec)
        client = find_client(admin, realm, key)
        if client is None:
            return None
        base = f"/{q(realm)}/clients/{client['id']}"
        client["roles"] = [r["name"] for r in admin.get(f"{base}/roles?briefRepresentation=true")]
        client.setdefault("protocolMappers", [])
        return project(client, spec)  # type: ignore[no-any-return]

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        body = {k: v for k, v in spec.items() if k != "roles"}
        admin.post(f"/{q(realm)}/clients", body)
        client = find_client(admin, realm, key)
        assert client is not None
        for role in spec.get("roles", []):
            admin.post(f"/{q(realm)}/clients/{client['id']}/roles", {"name": role})
        self._sync_scopes(admin, realm, client, spec)
        if any(value == "" for value in spec.get("attributes", {}).values()):
            # attributes wanted empty that Keycloak fills on creation (a SAML client's generated key
            # pair): emptied at once (Keycloak then drops them), never read back into any state
            self.update(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        client = find_client(admin, realm, key)
        if client is None:
            self.create(admin, realm, key, spec)
            return
        base = f"/{q(realm)}/clients/{client['id']}"
        top = {k: v for k, v in spec.items() if k not in SUB_OBJECTS}
        merged = {**client, **top, "attributes": {**client.get("attributes", {}), **spec.get("attributes", {})}}
        admin.put(base, merged)
        sync_named(admin, f"{base}/protocol-mappers/models", client.get("protocolMappers", []),
                   spec.get("protocolMappers", []), lambda m: f"{base}/protocol-mappers/models/{m['id']}")
        have = {r["name"] for r in admin.get(f"{base}/roles?briefRepresentation=true")}
        for role in sorted(set(spec.get("roles", [])) - have):
            admin.post(f"{base}/roles", {"name": role})
        for role in sorted(have - set(spec.get("roles", []))):
            admin.delete(f"{base}/roles/{q(role)}")
        self._sync_scopes(admin, realm, client, spec)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        client = find_client(admin, realm, key)
        if client is not None:
            admin.delete(f"/{q(realm)}/clients/{client['id']}")

    def _sync_scopes(self, admin: Admin, realm: str, client: dict[str, Any], spec: dict[str, Any]) -> None:
        base = f"/{q(realm)}/clients/{client['id']}"
        for field, path in (("defaultClientScopes", "default-client-scopes"),
                            ("optionalClientScopes", "optional-client-scopes")):
            if field not in spec:
                continue
            current = {s["name"]: s["id"] for s in admin.get(f"{base}/{path}")}
            wanted = set(spec[field])
            if set(current) == wanted:
                continue
            all_scopes = {s["name"]: s["id"] for s in admin.get(f"/{q(realm)}/client-scopes")}
            for name in sorted(wanted - set(current)):
                admin.put(f"{base}/{path}/{all_scopes[name]}", {})
            for name in sorted(set(current) - wanted):
                admin.delete(f"{base}/{path}/{current[name]}")
