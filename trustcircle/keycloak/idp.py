"""Identity providers (SAML or OIDC brokering) with their mappers.

Keycloak replaces an IdP's whole ``config`` on PUT, so updates merge the current config with the
managed keys; keys Keycloak adds by itself are kept and never compared.
"""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.named import sync_named
from trustcircle.keycloak.project import project


class IdentityProviderHandler:
    def _base(self, realm: str, alias: str) -> str:
        return f"/{q(realm)}/identity-provider/instances/{q(alias)}"

    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        if view is not None:
            found = view.identity_providers.get(key)
            return None if found is None else project(found, spec)
        idp = admin.get(self._base(realm, key), missing_ok=True)
        if idp is None:
            return None
        idp["mappers"] = admin.get(f"{self._base(realm, key)}/mappers")
        return project(idp, spec)  # type: ignore[no-any-return]

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        admin.post(f"/{q(realm)}/identity-provider/instances", {k: v for k, v in spec.items() if k != "mappers"})
        self._sync_mappers(admin, realm, key, spec, [])

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        idp = admin.get(self._base(realm, key), missing_ok=True)
        if idp is None:
            self.create(admin, realm, key, spec)
            return
        top = {k: v for k, v in spec.items() if k != "mappers"}
        admin.put(self._base(realm, key), {**idp, **top, "config": {**idp.get("config", {}), **spec["config"]}})
        self._sync_mappers(admin, realm, key, spec, admin.get(f"{self._base(realm, key)}/mappers"))

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        admin.delete(self._base(realm, key))

    def _sync_mappers(self, admin: Admin, realm: str, key: str, spec: dict[str, Any],
                      current: list[dict[str, Any]]) -> None:
        base = f"{self._base(realm, key)}/mappers"
        desired = [{**m, "identityProviderAlias": key} for m in spec.get("mappers", [])]
        sync_named(admin, base, current, desired, lambda m: f"{base}/{m['id']}")
