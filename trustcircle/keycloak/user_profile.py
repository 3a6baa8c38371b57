"""A realm's user profile: only the policy for attributes the profile does not declare.

The habilitations an organisation grants its agents (``habilitation``) and the ones a provider
realm imports from the agents' organisations (``trustcircle.home.habilitations``) are such
attributes: organisation realms let administrators edit them (``ADMIN_EDIT``), provider realms let
administrators see them (``ADMIN_VIEW``). The declared attributes are left as they are.
"""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q

POLICY = "unmanagedAttributePolicy"


class UserProfileHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        profile = admin.get(f"/{q(realm)}/users/profile", missing_ok=True)
        return None if profile is None else {POLICY: profile.get(POLICY)}

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        self.update(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        profile = admin.get(f"/{q(realm)}/users/profile")
        admin.put(f"/{q(realm)}/users/profile", {**profile, POLICY: spec[POLICY]})

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        profile = admin.get(f"/{q(realm)}/users/profile", missing_ok=True)
        if profile is not None and POLICY in profile:
            admin.put(f"/{q(realm)}/users/profile", {k: v for k, v in profile.items() if k != POLICY})
