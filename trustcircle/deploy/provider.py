"""The Pulumi dynamic provider for one Keycloak object (any kind), applied with python-keycloak.

Inputs: ``kind``, ``realm``, ``key`` (natural key: realm name, clientId, group path, IdP alias,
flow alias), ``__spec`` (managed fields, as the admin API takes them: what is applied; internal,
so Pulumi does not display it), ``fields`` (the same in the form a person reads, see
``deploy/fields.py``: what the preview shows), ``target`` (path of the target description; the
admin credentials are read from the file it names or the environment, never passed as inputs)
and ``url`` (the Keycloak it describes).
Outputs: the same, with ``spec`` as read back from Keycloak, so ``pulumi refresh`` shows drift.

``diff`` answers "unknown" when the specification changed since it was last applied: Pulumi's
engine then diffs the old and new inputs itself and the preview lists only the fields that
changed (a dynamic provider cannot return such a detailed diff). A change made in Keycloak by
hand, the inputs unchanged, is a plain "changed" (the engine would see no difference).
State written before ``__spec`` existed held the specification as ``spec``: read as a fallback.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from trustcircle.compiler.desired import Ref
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.ownership import create, is_owned, refusal
from trustcircle.keycloak.project import canonical, changed_fields
from trustcircle.target import Target

# A change of any of these is another object: replaced, not updated. ``url`` is the Keycloak the
# stack targets: moving a stack to another server creates its objects there (realms are retained
# on the old one). State written before ``url`` existed gets it by an in-place update.
IDENTITY = ("kind", "realm", "key", "url")
SPEC = "__spec"


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


def desired(props: dict[str, Any]) -> dict[str, Any]:
    """The specification to apply (inputs), or the one last applied (outputs)."""
    spec: dict[str, Any] = props.get(SPEC) or props["spec"]
    return spec


def _observe(admin: Admin, props: dict[str, Any]) -> dict[str, Any] | None:
    return HANDLERS[props["kind"]].read(admin, props["realm"], props["key"], desired(props))


def diff_of(olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
    """Pure: ``olds`` are the outputs of the last run (``spec`` as observed then), ``news`` the inputs."""
    replaces = [name for name in IDENTITY if olds.get(name, news.get(name)) != news.get(name)]
    changed = changed_fields(olds.get("spec") or {}, desired(news)) + (["url"] if "url" not in olds else [])
    if replaces or not changed:
        return DiffResult(changes=bool(replaces), replaces=replaces, delete_before_replace=True)
    applied = olds.get(SPEC)
    if applied is not None and canonical(applied) != canonical(desired(news)):
        return DiffResult(changes=None, replaces=[], delete_before_replace=True)  # the engine shows what changed
    return DiffResult(changes=True, replaces=[], delete_before_replace=True)


def refreshed(props: dict[str, Any], observed: dict[str, Any]) -> dict[str, Any]:
    """The outputs after a refresh. State written before ``__spec`` existed learns it here when
    Keycloak still holds what was applied then (no drift since): what was applied is what is
    observed; with drift it stays unknown, so that ``diff`` never takes the drift for the intent."""
    outs = {**props, "spec": observed}
    if SPEC not in props and not changed_fields(props.get("spec") or {}, observed):
        outs[SPEC] = observed
    return outs


class KeycloakObjectProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        admin = admin_for(props)
        handler = HANDLERS[props["kind"]]
        spec = desired(props)
        existing = handler.read(admin, props["realm"], props["key"], spec)
        if existing is None:
            create(admin, Ref(props["kind"], props["realm"], props["key"]), spec)
        elif is_owned(props["kind"], props["key"], existing):  # adopted: an interrupted run's, the other path's
            handler.update(admin, props["realm"], props["key"], spec)
        else:
            raise refusal(Ref(props["kind"], props["realm"], props["key"]))
        observed = _observe(admin, props)
        return CreateResult(id_=f"{props['realm']}/{props['kind']}/{props['key']}", outs={**props, "spec": observed})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        observed = _observe(admin_for(props), props)
        if observed is None:
            return ReadResult(id_="", outs={})
        return ReadResult(id_=id_, outs=refreshed(props, observed))

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return diff_of(olds, news)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        admin = admin_for(news)
        HANDLERS[news["kind"]].update(admin, news["realm"], news["key"], desired(news))
        return UpdateResult(outs={**news, "spec": _observe(admin, news)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete only what still carries trustcircle's marker (see keycloak/ownership.py)."""
        admin = admin_for(props)
        current = _observe(admin, props)
        if current is not None and is_owned(props["kind"], props["key"], current):
            HANDLERS[props["kind"]].delete(admin, props["realm"], props["key"])
