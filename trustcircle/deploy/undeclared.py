"""The ``pulumi up`` side of the ownership contract's "remove": one resource per federation that
removes the objects trustcircle owns on the target but neither ``realms/`` declares nor Pulumi's
state holds (made by ``trustcircle apply``, left by a lost state or an interrupted run).

Objects the stack made itself and ``realms/`` no longer declares are deleted by Pulumi's engine as
usual (the provider's ``delete``); this resource reports a change only when something else is
left, so a second ``pulumi up`` changes nothing. The same :func:`~trustcircle.keycloak.ownership.undeclared`
decides what goes on both paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

from trustcircle.compiler.desired import Ref
from trustcircle.deploy.provider import admin_for
from trustcircle.keycloak.ownership import remove, undeclared

# ``url`` is the Keycloak the stack targets; ``target`` only says where its credentials are read (a
# federation restored into another state directory reads them elsewhere: the same server, no change)
IDENTITY = ("federation", "url")


def _left(props: dict[str, Any], known: list[str]) -> list[Ref]:
    """Owned, undeclared, and not one Pulumi deletes itself (``known``: what the stack declared before)."""
    declared = [Ref.of_name(name) for name in props["declared"]]
    before = {Ref.of_name(name) for name in known}
    return [ref for ref in undeclared(admin_for(props), props["federation"], declared) if ref not in before]


def _remove(props: dict[str, Any], refs: list[Ref]) -> None:
    for ref in refs:
        pulumi.log.info(f"removing {ref.name}: owned by trustcircle, no longer declared")
    remove(admin_for(props), refs)


class UndeclaredObjectsProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        _remove(props, _left(props, []))
        return CreateResult(id_=f"{props['federation']}/undeclared", outs=props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [name for name in IDENTITY if olds.get(name) != news.get(name)]
        left = _left(news, olds.get("declared") or [])
        return DiffResult(changes=bool(replaces or left), replaces=replaces, delete_before_replace=True)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _remove(news, _left(news, olds.get("declared") or []))
        return UpdateResult(outs=news)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Nothing: the stack's own objects are deleted one by one by the engine."""


_PROVIDER = UndeclaredObjectsProvider()


class UndeclaredObjects(Resource, module="trustcircle", name="UndeclaredObjects"):
    """Named ``<federation>/undeclared``; depends on every object, so it runs after they are written."""

    def __init__(self, federation: str, declared: list[Ref], target: Path, url: str,
                 opts: pulumi.ResourceOptions) -> None:
        props = {"federation": federation, "declared": sorted(r.name for r in declared),
                 "target": str(target), "url": url}
        super().__init__(_PROVIDER, f"{federation}/undeclared", props, opts)
