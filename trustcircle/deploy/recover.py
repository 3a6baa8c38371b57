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


def recover(stack: str, cwd: Path) -> int:
    """Cancel the stack's stale update, if any; the number of stale locks found."""
    found = stale_locks(os.environ.get("PULUMI_BACKEND_URL", ""), stack)
    if found:
        subprocess.run(["pulumi", "cancel", "--yes", "--stack", stack, "--non-interactive"], cwd=cwd,
                       check=True, capture_output=True, timeout=CANCEL_TIMEOUT_S)
    return len(found)
