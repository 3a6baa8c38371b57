"""Client scopes, addressed by name, with their protocol mappers."""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.named import sync_named
from trustcircle.keycloak.project import project


def find_client_scope(admin: Admin, realm: str, name: str) -> dict[str, Any] | None:
    return next((s for s in admin.get(f"/{q(realm)}/client-scopes") if s["name"] == name), None)


class ClientScopeHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        scope = view.client_scopes.get(key) if view is not None else find_client_scope(admin, realm, key)
        if scope is None:
            return None
        scope.setdefault("protocolMappers", [])
        return project(scope, spec)  # type: ignore[no-any-return]

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        admin.post(f"/{q(realm)}/client-scopes", {k: v for k, v in spec.items() if k != "protocolMappers"})
        self._sync_mappers(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        scope = find_client_scope(admin, realm, key)
        if scope is None:
            self.create(admin, realm, key, spec)
            return
        top = {k: v for k, v in spec.items() if k != "protocolMappers"}
        merged = {**scope, **top, "attributes": {**scope.get("attributes", {}), **spec.get("attributes", {})}}
        merged.pop("protocolMappers", None)
        admin.put(f"/{q(realm)}/client-scopes/{scope['id']}", merged)
        self._sync_mappers(admin, realm, key, spec)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        scope = find_client_scope(admin, realm, key)
        if scope is not None:
            admin.delete(f"/{q(realm)}/client-scopes/{scope['id']}")

    def _sync_mappers(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        scope = find_client_scope(admin, realm, key)
        assert scope is not None
        base = f"/{q(realm)}/client-scopes/{scope['id']}/protocol-mappers/models"
        sync_named(admin, base, scope.get("protocolMappers", []), spec.get("protocolMappers", []),
                   lambda m: f"{base}/{m['id']}")
