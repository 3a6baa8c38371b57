"""Live tests run against the local federation that ./run test has started and applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcircle.keycloak.admin import Admin
from trustcircle.local.target import Target


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.live)


@pytest.fixture(scope="session")
def target() -> Target:
    return Target.load()


@pytest.fixture(scope="session")
def admin(target: Target) -> Admin:
    return Admin(target)
