"""Realms: created with the managed settings; updates send only managed fields (PUT merges)."""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.project import project


class RealmHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        current = admin.get(f"/{q(realm)}", missing_ok=True)
        observed: dict[str, Any] | None = None if current is None else project(current, spec)
        return observed

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        admin.post("", spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        admin.put(f"/{q(realm)}", spec)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        admin.delete(f"/{q(realm)}")
