"""Ownership: only objects carrying trustcircle's marker are taken over or deleted (pure logic)."""

from __future__ import annotations

import pytest

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.desired import Ref
from trustcircle.compiler.environment import Environment
from trustcircle.keycloak.ownership import federation_realms, is_owned, orphans
from trustcircle.keycloak.project import project
from trustcircle.keycloak.view import RealmView
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

OBJECTS = compile_federation(load_federation([REPO_ROOT / "realms"]), Environment("https://kc.example"))


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: o.ref.name)
def test_everything_trustcircle_creates_carries_its_marker(obj: object) -> None:
    spec = obj.spec  # type: ignore[attr-defined]
    ref = obj.ref  # type: ignore[attr-defined]
    assert is_owned(ref.kind, ref.key, project(spec, spec))


@pytest.mark.parametrize(("kind", "key", "observed"), [
    ("realm", "hr", {"attributes": {}}),
    ("client", "app", {"attributes": {"trustcircle.managed-by": "someone-else"}}),
    ("group", "/team", {"attributes": {"trustcircle.managed-by": None}}),
    ("identity_provider", "cd33", {"config": {"trustcircle.organisation": "other"}}),
    ("flow", "browser", {}),
])
def test_objects_made_by_hand_are_not_owned(kind: str, key: str, observed: dict[str, object]) -> None:
    assert not is_owned(kind, key, observed)


def _view() -> RealmView:
    marked = {"trustcircle.managed-by": ["trustcircle"]}
    return RealmView.of({
        "clients": [{"clientId": "kept", "attributes": {"trustcircle.managed-by": "trustcircle"}},
                    {"clientId": "stale", "attributes": {"trustcircle.managed-by": "trustcircle"}},
                    {"clientId": "by-hand", "attributes": {}}],
        "groups": [{"name": "org", "path": "/org", "attributes": marked, "subGroups": [
            {"name": "old", "path": "/org/old", "attributes": marked},
            {"name": "team", "path": "/org/team", "attributes": {"owner": ["ops"]}}]}],
        "identityProviders": [{"alias": "gone", "config": {"trustcircle.organisation": "gone"}},
                              {"alias": "theirs", "config": {}}],
        "authenticationFlows": [{"alias": "trustcircle browser"}, {"alias": "browser"}],
    })


def test_orphans_are_the_owned_undeclared_objects_referring_ones_first() -> None:
    declared = [Ref("client", "r", "kept"), Ref("group", "r", "/org"), Ref("flow", "r", "trustcircle browser")]
    assert [ref.name for ref in orphans(declared, {"r": _view()})] == [
        "r/identity_provider/gone", "r/client/stale", "r/group//org/old"]


def test_a_realm_of_another_federation_is_not_the_federations() -> None:
    owned = {"trustcircle.managed-by": "trustcircle"}
    realms = [{"realm": "mine", "attributes": {**owned, "trustcircle.federation": "f"}},
              {"realm": "other", "attributes": {**owned, "trustcircle.federation": "g"}},
              {"realm": "old", "attributes": {"trustcircle.managed-by": "trustcircle"}},
              {"realm": "master"}]
    assert federation_realms(realms, "f") == ["mine"]
