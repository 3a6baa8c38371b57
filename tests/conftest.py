"""Shared fixtures of the unit tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcircle.settings import REPO_ROOT


@pytest.fixture
def realms_copy(tmp_path: Path) -> Path:
    """A copy of the reference realms/ that a test may break."""
    dest = tmp_path / "realms"
    for src in (REPO_ROOT / "realms").rglob("*.yaml"):
        target = dest / src.relative_to(REPO_ROOT / "realms")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(src.read_text())
    return dest
