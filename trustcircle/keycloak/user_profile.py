"""A realm's user profile: the policy for attributes the profile does not declare, and the
attributes trustcircle declares.

The habilitations an organisation grants its agents (``habilitation``) and the ones a provider
realm imports from the agents' organisations (``trustcircle.home.habilitations``) are undeclared
attributes: organisation realms let administrators edit them (``ADMIN_EDIT``), provider realms let
administrators see them (``ADMIN_VIEW``). A provider realm declares the base attributes its access
accounts receive from home (address lines, status, source system, and why the consistency
checker disabled an account), so the checker may write them; which provider administrator may
change them is the extension's rule (``extensions/consistency``). Attributes trustcircle declares
carry its marker as an annotation; Keycloak's own and anyone else's are left as they are.
"""

from __future__ import annotations

from typing import Any

from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q

POLICY = "unmanagedAttributePolicy"


def _ours(attribute: dict[str, Any]) -> bool:
    return bool((attribute.get("annotations") or {}).get(ids.MANAGED_BY_ATTR) == ids.MANAGED_BY)


def _projected(attribute: dict[str, Any]) -> dict[str, Any]:
    return {k: attribute[k] for k in ("name", "displayName", "permissions", "annotations", "multivalued")
            if k in attribute}


class UserProfileHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        profile = admin.get(f"/{q(realm)}/users/profile", missing_ok=True)
        if profile is None:
            return None
        ours = sorted((_projected(a) for a in profile.get("attributes", []) if _ours(a)), key=lambda a: a["name"])
        return {POLICY: profile.get(POLICY), **({"attributes": ours} if ours or "attributes" in spec else {})}

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        self.update(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        profile = admin.get(f"/{q(realm)}/users/profile")
        wanted = {a["name"]: a for a in spec.get("attributes", [])}
        kept = [a for a in profile.get("attributes", []) if not _ours(a) and a["name"] not in wanted]
        admin.put(f"/{q(realm)}/users/profile", {**profile, POLICY: spec[POLICY],
                                                 "attributes": [*kept, *(wanted[n] for n in sorted(wanted))]})

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        profile = admin.get(f"/{q(realm)}/users/profile", missing_ok=True)
        if profile is not None:
            rest = {k: v for k, v in profile.items() if k != POLICY}
            admin.put(f"/{q(realm)}/users/profile",
                      {**rest, "attributes": [a for a in profile.get("attributes", []) if not _ours(a)]})
