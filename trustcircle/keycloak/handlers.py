"""One handler per kind of Keycloak object: read (projected), create, update, delete."""

from __future__ import annotations

from typing import Any, Protocol

from trustcircle.compiler.desired import Kind
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.admin_permission import AdminPermissionHandler
from trustcircle.keycloak.client import ClientHandler
from trustcircle.keycloak.client_scope import ClientScopeHandler
from trustcircle.keycloak.default_roles import DefaultRolesHandler
from trustcircle.keycloak.flow import FlowHandler
from trustcircle.keycloak.group import GroupHandler
from trustcircle.keycloak.idp import IdentityProviderHandler
from trustcircle.keycloak.realm import RealmHandler
from trustcircle.keycloak.user_profile import UserProfileHandler


class Handler(Protocol):
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None: ...
    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None: ...
    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None: ...
    def delete(self, admin: Admin, realm: str, key: str) -> None: ...


HANDLERS: dict[Kind, Handler] = {
    "realm": RealmHandler(),
    "client_scope": ClientScopeHandler(),
    "client": ClientHandler(),
    "group": GroupHandler(),
    "identity_provider": IdentityProviderHandler(),
    "flow": FlowHandler(),
    "user_profile": UserProfileHandler(),
    "default_roles": DefaultRolesHandler(),
    "admin_permission": AdminPermissionHandler(),
}
