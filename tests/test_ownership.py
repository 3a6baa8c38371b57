"""Ownership: only objects carrying trustcircle's marker are taken over or deleted (pure logic)."""

from __future__ import annotations

import pytest

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.keycloak.ownership import is_owned
from trustcircle.keycloak.project import project
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
