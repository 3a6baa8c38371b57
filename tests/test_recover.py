"""Which stack locks are stale: only those of a process gone from this machine."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from trustcircle.deploy.recover import stale_locks


def _lock(root: Path, stack: str, name: str, pid: int, host: str) -> Path:
    path = root / ".pulumi" / "locks" / "organization" / "trustcircle" / stack / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "username": "root", "hostname": host, "timestamp": "now"}))
    return path


def test_only_locks_of_dead_local_processes_are_stale(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = _lock(tmp_path, "local", "a", gone.pid, "here")
    _lock(tmp_path, "local", "b", os.getpid(), "here")  # a live process: a run in progress
    _lock(tmp_path, "local", "c", gone.pid, "elsewhere")  # another machine: not ours to judge
    _lock(tmp_path, "other", "d", gone.pid, "here")  # another stack
    assert stale_locks(f"file://{tmp_path}", "local", hostname="here") == [dead]


def test_other_backends_are_left_alone(tmp_path: Path) -> None:
    assert stale_locks("s3://bucket", "local") == []


def test_empty_checkpoint_attributes_are_found(tmp_path: Path) -> None:
    stacks = tmp_path / ".pulumi" / "stacks" / "trustcircle"
    stacks.mkdir(parents=True)
    (stacks / "local.json").write_text("{}")
    (stacks / "local.json.attrs").write_text("")  # cut by a killed write
    (stacks / "local.json.bak.attrs").write_text('{"md5": "x"}')
    (stacks / "other.json.attrs").write_text("")
    from trustcircle.deploy.recover import broken_attributes
    assert broken_attributes(f"file://{tmp_path}", "local") == [stacks / "local.json.attrs"]
