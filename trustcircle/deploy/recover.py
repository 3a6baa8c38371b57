"""After a `pulumi up` was killed: clear the lock it left on the stack, when its process is gone.

The file backend locks a stack while an update runs and a killed process cannot remove its lock;
the next run then stops with "the stack is currently locked". A lock whose process no longer
exists on this machine is stale: `pulumi cancel` removes it. A lock of a live process, or one taken
on another machine, is left alone. The next `pulumi up --refresh` then converges: objects the killed
run created are read back, and an object it was creating is adopted if it carries trustcircle's
marker (never created twice).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

from trustcircle.errors import ConfigurationError
from trustcircle.processes import alive

CANCEL_TIMEOUT_S = 120


def stale_locks(backend_url: str, stack: str, hostname: str | None = None) -> list[Path]:
    """Locks of ``stack`` in a ``file://`` backend whose process is gone from this machine."""
    if not backend_url.startswith("file://"):
        return []
    host = hostname or socket.gethostname()
    root = Path(backend_url.removeprefix("file://").split("?")[0]) / ".pulumi" / "locks"
    stale = []
    for lock in sorted(root.glob(f"*/*/{stack}/*.json")):
        try:
            data = json.loads(lock.read_text())
        except (OSError, ValueError):
            continue
        if data.get("hostname") == host and isinstance(data.get("pid"), int) and not alive(data["pid"]):
            stale.append(lock)
    return stale


def broken_attributes(backend_url: str, stack: str) -> list[Path]:
    """Attribute side files of the stack's checkpoint left empty or cut by a killed write.

    The file backend writes a checkpoint and, beside it, ``<file>.attrs`` (JSON); a process killed
    between the two leaves an empty ``.attrs`` and Pulumi then fails with "failed to load
    checkpoint: EOF" although the checkpoint itself is whole."""
    if not backend_url.startswith("file://"):
        return []
    root = Path(backend_url.removeprefix("file://").split("?")[0]) / ".pulumi" / "stacks"
    broken = []
    for attrs in sorted(root.glob(f"*/{stack}.json*.attrs")):
        try:
            json.loads(attrs.read_text())
        except (OSError, ValueError):
            broken.append(attrs)
    return broken


def recover(stack: str, cwd: Path) -> int:
    """Repair what a killed run left: broken checkpoint attributes (removed: the checkpoint reads
    without them) and a stale lock (cancelled). The number of stale locks found."""
    backend = os.environ.get("PULUMI_BACKEND_URL", "")
    for attrs in broken_attributes(backend, stack):
        attrs.unlink()
    found = stale_locks(backend, stack)
    if found:
        done = subprocess.run(["pulumi", "cancel", "--yes", "--stack", stack, "--non-interactive"], cwd=cwd,
                              check=False, capture_output=True, text=True, timeout=CANCEL_TIMEOUT_S)
        if done.returncode != 0:
            raise ConfigurationError(f"cannot clear the lock of stack {stack}: {(done.stderr or done.stdout).strip()}",
                                     "remove the lock file by hand: " + ", ".join(map(str, found)))
    return len(found)
