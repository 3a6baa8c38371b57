"""What the Keycloak server spends under load, read from outside it: CPU seconds and resident memory
from ``/proc`` (the process ``trustcircle local`` started and its children: ``kc.sh`` runs the JVM
as a child), the JVM heap from the management port's Prometheus metrics, and live sessions from
the admin API. Nothing here changes the server, except :func:`full_gc` (asked by the leak check
only, so that the heap it reads is what is still reachable)."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests

from trustcircle.keycloak.admin import Admin, q
from trustcircle.local.server import LocalKeycloak
from trustcircle.target import Target

TIMEOUT_S = 10
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+([0-9.eE+-]+)\s*$', re.M)


def stat_ticks(stat: str) -> int:
    """User plus system CPU ticks of one ``/proc/<pid>/stat`` line (the command name, in
    parentheses, may hold spaces: fields are counted after its closing parenthesis)."""
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)


def resident_bytes(status: str) -> int:
    """``VmRSS`` of one ``/proc/<pid>/status``, in bytes (0 for a process without memory)."""
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) * 1024 if found else 0


def metric_sum(metrics: str, name: str, label: str = "") -> int | None:
    """One metric of a Prometheus text exposition summed over its series (those whose labels hold
    ``label``); None when it has none."""
    values = [float(value) for found, labels, value in SAMPLE.findall(metrics) if found == name and label in labels]
    return int(sum(values)) if values else None


def heap_used_bytes(metrics: str) -> int | None:
    """The JVM heap in use: ``jvm_memory_used_bytes`` summed over the heap's pools; None if absent."""
    return metric_sum(metrics, "jvm_memory_used_bytes", 'area="heap"')


def live_data_bytes(metrics: str) -> int | None:
    """The old generation after the last collection (``jvm_gc_live_data_size_bytes``): what stays
    reachable, the figure that grows under a leak; None if absent."""
    return metric_sum(metrics, "jvm_gc_live_data_size_bytes")


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, as ``/proc`` lists them now."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        children = Path(f"/proc/{current}/task/{current}/children")
        try:
            todo += [int(c) for c in children.read_text().split()]
        except OSError:
            continue
    return tree


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:  # the process ended meanwhile
        return ""


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) spent so far by ``pid`` and its descendants."""
    ticks = sum(stat_ticks(text) for p in process_tree(pid) if (text := _read(f"/proc/{p}/stat")))
    return ticks / os.sysconf("SC_CLK_TCK")


def jvm_pid(pid: int) -> int:
    """The JVM in ``pid``'s tree: the process with the largest resident set."""
    return max(process_tree(pid), key=lambda p: resident_bytes(_read(f"/proc/{p}/status")))


def rss_bytes(pid: int) -> int:
    return resident_bytes(_read(f"/proc/{jvm_pid(pid)}/status"))


def metrics_text(management_url: str, ca_bundle: str) -> str:
    """The management port's ``/metrics`` (empty when it does not answer)."""
    try:
        answer = requests.get(f"{management_url}/metrics", verify=ca_bundle, timeout=TIMEOUT_S)
    except requests.RequestException:
        return ""
    return answer.text if answer.status_code == 200 else ""


def heap_bytes(management_url: str, ca_bundle: str) -> int | None:
    """The heap in use as the management port's ``/metrics`` says; None when it says nothing of it."""
    return heap_used_bytes(metrics_text(management_url, ca_bundle))


def full_gc(pid: int) -> None:
    """A full collection in the JVM of ``pid``'s tree (``jcmd GC.run``, the JDK's own tool, next to its ``java``)."""
    java = Path(os.readlink(f"/proc/{jvm_pid(pid)}/exe"))
    jcmd = java.with_name("jcmd")
    subprocess.run([str(jcmd if jcmd.exists() else "jcmd"), str(jvm_pid(pid)), "GC.run"], check=True,
                   capture_output=True, timeout=120)


def live_sessions(admin: Admin, realms: list[str]) -> int:
    """Active client sessions in ``realms`` (the admin API's per-client session statistics)."""
    return sum(int(stat.get("active", 0)) for realm in realms
               for stat in admin.get(f"/{q(realm)}/client-session-stats"))


@dataclass(frozen=True)
class Sample:
    """The server at one moment."""

    cpu_s: float
    rss_bytes: int
    heap_bytes: int | None
    live_bytes: int | None = None  # the old generation after the last collection


@dataclass(frozen=True)
class Server:
    """The Keycloak process of a local federation, and where its metrics are."""

    pid: int
    management_url: str
    ca_bundle: str

    def sample(self) -> Sample:
        metrics = metrics_text(self.management_url, self.ca_bundle)
        return Sample(cpu_seconds(self.pid), rss_bytes(self.pid), heap_used_bytes(metrics), live_data_bytes(metrics))


def local_server(target: Target) -> Server | None:
    """The local federation's Keycloak when ``target`` is it (and it runs); None for another deployment."""
    local = LocalKeycloak()
    pid = local.status()["pid"]
    if target.url != local.config.url or not isinstance(pid, int):
        return None
    return Server(pid, f"https://{local.config.host}:{local.config.management_port}", str(target.ca_bundle))
