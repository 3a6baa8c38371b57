"""``tc_private_dir`` (scripts/lib.sh), which every ./run command applies to the state directory:
owner only, except for the ACL entry that lets the local cluster's PostgreSQL pass through (a plain
``chmod 700`` masks it, and PostgreSQL, losing its data directory, shuts down: seen)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from trustcircle.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setfacl") is None,
                                reason="as root, with Debian's acl package (./run test installs it)")


@pytest.fixture
def parent() -> Iterator[Path]:
    """A directory the postgres user may pass through (pytest's own are root's only)."""
    with tempfile.TemporaryDirectory() as made:
        Path(made).chmod(0o755)
        yield Path(made)


def _private(directory: Path) -> None:
    subprocess.run(["bash", "-c", f'source "{REPO_ROOT}/scripts/lib.sh" && tc_private_dir "$1"', "_",
                    str(directory)], check=True, timeout=60)


def _postgres_reaches(path: Path) -> bool:
    return subprocess.run(["runuser", "-u", "postgres", "--", "stat", str(path)], capture_output=True,
                          timeout=30, check=False).returncode == 0


def test_a_state_directory_is_owner_only(parent: Path) -> None:
    state = parent / "state"
    state.mkdir(mode=0o755)
    (state / "local").mkdir()
    _private(state)
    assert state.stat().st_mode & 0o777 == 0o700
    assert not _postgres_reaches(state / "local")


def test_the_cluster_s_postgresql_still_passes_through_it(parent: Path) -> None:
    state = parent / "state"
    (state / "local").mkdir(parents=True)
    subprocess.run(["setfacl", "-m", "u:postgres:x", str(state)], check=True, timeout=30)
    state.chmod(0o700)  # what an earlier ./run did: the entry masked
    assert not _postgres_reaches(state / "local")
    _private(state)
    assert _postgres_reaches(state / "local")
    listing = subprocess.run(["runuser", "-u", "postgres", "--", "ls", str(state)], capture_output=True,
                             timeout=30, check=False)
    assert listing.returncode != 0  # it may pass, not list
