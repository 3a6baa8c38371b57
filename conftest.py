"""Fixtures shared by tests/live/ and conformance/: the target deployment and its admin API.

The target is the local federation unless TRUSTCIRCLE_TARGET names another deployment's target
file (URL, CA bundle, admin credentials file). Tests under those folders are marked ``live``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcircle.keycloak.admin import Admin
from trustcircle.local.target import Target

LIVE_DIRS = (Path(__file__).parent / "tests" / "live", Path(__file__).parent / "tests" / "scenarios",
             Path(__file__).parent / "conformance")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(Path(str(item.fspath)).is_relative_to(d) for d in LIVE_DIRS):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.load()


@pytest.fixture(scope="session")
def admin(target: Target) -> Admin:
    return Admin(target)
