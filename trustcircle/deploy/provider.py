"""The Pulumi dynamic provider for one Keycloak object (any kind), applied with python-keycloak.

Inputs: ``kind``, ``realm``, ``key`` (natural key: realm name, clientId, group path, IdP alias,
flow alias), ``spec`` (managed fields, as the admin API takes them), ``target`` (path of the
target description; the admin credentials are read from the file it names or the environment,
never passed as inputs) and ``url`` (the Keycloak it describes).
Outputs: the same, with ``spec`` as read back from Keycloak, so ``pulumi refresh`` shows drift.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from trustcircle.compiler.desired import Ref
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.ownership import is_owned, refusal
from trustcircle.keycloak.project import changed_fields
from trustcircle.target import Target

# A change of any of these is another object: replaced, not updated. ``url`` is the Keycloak the
# stack targets: moving a stack to another server creates its objects there (realms are retained
# on the old one). State written before ``url`` existed gets it by an in-place update.
IDENTITY = ("kind", "realm", "key", "url")


_ADMINS: dict[str, Admin] = {}
_ADMINS_LOCK = threading.Lock()


def admin_for(props: dict[str, Any]) -> Admin:
    """One admin session per target for the whole run (the provider process lives as long as the
    run): one login, and whole-realm reads shared by every object of a realm."""
    with _ADMINS_LOCK:
        admin = _ADMINS.get(props["target"])
        if admin is None:
            admin = _ADMINS[props["target"]] = Admin(Target.load(Path(props["target"])), realm_views=True)
        return admin


def _observe(admin: Admin, props: dict[str, Any]) -> dict[str, Any] | None:
    return HANDLERS[props["kind"]].read(admin, props["realm"], props["key"], props["spec"])


class KeycloakObjectProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        admin = admin_for(props)
        handler = HANDLERS[props["kind"]]
        existing = handler.read(admin, props["realm"], props["key"], props["spec"])
        if existing is None:
            handler.create(admin, props["realm"], props["key"], props["spec"])
        elif is_owned(props["kind"], props["key"], existing):  # adopted: an interrupted run's, the other path's
            handler.update(admin, props["realm"], props["key"], props["spec"])
        else:
            raise refusal(Ref(props["kind"], props["realm"], props["key"]))
        observed = _observe(admin, props)
        return CreateResult(id_=f"{props['realm']}/{props['kind']}/{props['key']}", outs={**props, "spec": observed})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        observed = _observe(admin_for(props), props)
        if observed is None:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs={**props, "spec": observed})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [name for name in IDENTITY if olds.get(name, news.get(name)) != news.get(name)]
        changed = changed_fields(olds.get("spec") or {}, news["spec"]) + (["url"] if "url" not in olds else [])
        return DiffResult(changes=bool(replaces or changed), replaces=replaces,
                          delete_before_replace=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        admin = admin_for(news)
        HANDLERS[news["kind"]].update(admin, news["realm"], news["key"], news["spec"])
        return UpdateResult(outs={**news, "spec": _observe(admin, news)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete only what still carries trustcircle's marker (see keycloak/ownership.py)."""
        admin = admin_for(props)
        current = _observe(admin, props)
        if current is not None and is_owned(props["kind"], props["key"], current):
            HANDLERS[props["kind"]].delete(admin, props["realm"], props["key"])
