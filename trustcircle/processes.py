"""Facts about local processes."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from trustcircle.errors import LocalServerError


def alive(pid: int) -> bool:
    """Whether a process exists and has not ended (a zombie waiting to be reaped has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().split(")")[-1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def check_port_free(host: str, port: int, hint: str | None = None) -> None:
    """Raise a clear error when another program listens on ``host:port`` (``hint``: how to choose
    other ports, when not the local server's variables)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            raise LocalServerError(
                f"port {host}:{port} is already in use by another program ({err.strerror})",
                hint or "stop that program, or choose other ports with TRUSTCIRCLE_KEYCLOAK_PORT / "
                "TRUSTCIRCLE_MANAGEMENT_PORT / TRUSTCIRCLE_SMTP_PORT") from err


def stop_group(pid: int, timeout_s: float) -> None:
    """Ask a process group to stop (SIGTERM), and kill it after ``timeout_s`` if it has not."""
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.2)
    if alive(pid):
        os.killpg(pid, signal.SIGKILL)


def recorded_pid(pid_file: Path) -> int | None:
    """The live process whose id ``pid_file`` holds (None: no file, or that process ended)."""
    try:
        pid = int(pid_file.read_text())
    except (FileNotFoundError, ValueError):
        return None
    return pid if alive(pid) else None


def stop_recorded(pid_file: Path, timeout_s: float) -> bool:
    """Stop the process group recorded in ``pid_file`` (:func:`stop_group`) and forget it; False when
    none was running."""
    pid = recorded_pid(pid_file)
    if pid is None:
        return False
    stop_group(pid, timeout_s)
    pid_file.unlink(missing_ok=True)
    return True
