"""A realm's default roles: what every user of the realm holds, brokered agents included.

Only the roles of the ``account`` client are managed: a provider realm gives brokered agents
``view-profile`` and nothing else, so no agent can link another identity to their access account
(Keycloak's account linking, from the account console, ``/broker/<alias>/link`` or the
``idp_link`` action, each requires ``manage-account`` or ``manage-account-links``). The realm's
other default roles are left as they are.
"""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q

ACCOUNT = "account"


def _path(realm: str) -> str:
    return f"/{q(realm)}/roles/{q('default-roles-' + realm)}/composites"


def _account_roles(admin: Admin, realm: str) -> dict[str, dict[str, Any]]:
    roles = admin.get(f"{_path(realm)}/clients/{_account_client_id(admin, realm)}", missing_ok=True) or []
    return {r["name"]: r for r in roles}


def _account_client_id(admin: Admin, realm: str) -> str:
    clients = admin.get(f"/{q(realm)}/clients?clientId={ACCOUNT}")
    return str(clients[0]["id"])


class DefaultRolesHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        if view is not None:  # the whole realm's export, read once (an empty view: no such realm)
            if not view.settings:
                return None
            return {"clientRoles": {ACCOUNT: sorted(view.default_client_roles.get(ACCOUNT, []))}}
        if admin.get(f"/{q(realm)}", missing_ok=True) is None:
            return None
        return {"clientRoles": {ACCOUNT: sorted(_account_roles(admin, realm))}}

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        self.update(admin, realm, key, spec)

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        have = _account_roles(admin, realm)
        want = set(spec["clientRoles"][ACCOUNT])
        extra = [role for name, role in have.items() if name not in want]
        if extra:
            admin.delete(_path(realm), extra)
        client = _account_client_id(admin, realm)
        missing = [admin.get(f"/{q(realm)}/clients/{client}/roles/{q(name)}") for name in sorted(want - set(have))]
        if missing:
            admin.post(_path(realm), missing)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        """Never removed (a realm always has default roles): what trustcircle set stays."""
