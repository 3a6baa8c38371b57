"""Fixtures shared by tests/live/, tests/scenarios/ and conformance/: the target deployment and
its admin API.

The target is the local federation unless TRUSTCIRCLE_TARGET names another deployment's target
file (URL, CA bundle, admin credentials file). Tests under those folders are marked ``live``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trustcircle.keycloak.admin import Admin
from trustcircle.settings import Paths
from trustcircle.target import Target

LIVE_DIRS = (Path(__file__).parent / "tests" / "live", Path(__file__).parent / "tests" / "scenarios",
             Path(__file__).parent / "conformance")


DESTRUCTIVE_ENV = "TRUSTCIRCLE_DESTRUCTIVE"


def _local_target() -> bool:
    configured = os.environ.get("TRUSTCIRCLE_TARGET")
    return not configured or Path(configured).resolve() == (Paths.from_env().local / "target.json").resolve()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests under the live folders need a deployment; ``destructive`` ones (they change objects the
    suite does not own, such as a convention group's window, and put them back) run against the
    local federation, and against another deployment only with TRUSTCIRCLE_DESTRUCTIVE=1."""
    allow_destructive = _local_target() or os.environ.get(DESTRUCTIVE_ENV) == "1"
    for item in items:
        if any(Path(str(item.fspath)).is_relative_to(d) for d in LIVE_DIRS):
            item.add_marker(pytest.mark.live)
        if item.get_closest_marker("destructive") and not allow_destructive:
            item.add_marker(pytest.mark.skip(reason=f"changes the target beyond test-owned objects: "
                                                    f"set {DESTRUCTIVE_ENV}=1 to run it there"))


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.load()


@pytest.fixture(scope="session")
def admin(target: Target) -> Admin:
    return Admin(target)
