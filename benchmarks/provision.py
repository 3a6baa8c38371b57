"""Provisioning against the live local Keycloak: time, admin API calls and peak memory of `pulumi up`.

Usage: ./run bench-provision [N ...]   (default: the reference federation and reference + 100;
0 for the reference federation alone; Nx for N organisations with their own SAML IdP, i.e. no realm
of their own, so that their objects all land in the provider realm)

For each federation, on a Pulumi stack of its own (``bench``) and in realms of its own (every realm
name prefixed ``bench-``, so the local federation is untouched):
  (a) first converge: `pulumi up` from nothing;
  (b) no-op re-run: `pulumi up --refresh` with the same input (must change nothing);
  (c) one convention amended (a rubrique added), `pulumi up --refresh`;
  and, for comparison, (b) through the Pulumi-free path (`converge`, used by Ansible).
Admin calls are counted where they are made (the provider process logs each one, see
``TRUSTCIRCLE_CALL_LOG``); memory is the peak resident size of the whole `pulumi` process tree.
The bench realms and stack are removed at the end. Prints a Markdown table.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.validate import generate
from trustcircle.deploy import sandbox
from trustcircle.keycloak.admin import CALL_LOG_ENV, Admin
from trustcircle.keycloak.apply import converge
from trustcircle.model.loader import load_federation
from trustcircle.pipeline import desired_state_of
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

STACK = "bench"
PREFIX = "bench-"
RUN_TIMEOUT_S = 3600



@dataclass
class Run:
    seconds: float
    reads: int
    writes: int
    peak_mib: float
    changes: str


def _tree_rss_kib(root: int) -> int:
    """Resident size of a process and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        vmrss = re.search(r"^VmRSS:\s+(\d+)", status, re.M)
        children.setdefault(int(ppid.group(1)) if ppid else 0, []).append(pid)
        rss[pid] = int(vmrss.group(1)) if vmrss else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _pulumi(args: list[str], realms: Path, log: Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    env = {**os.environ, "TRUSTCIRCLE_REALMS": str(realms), CALL_LOG_ENV: str(log)}
    started = time.perf_counter()
    with subprocess.Popen(["pulumi", *args, "--stack", STACK, "--non-interactive"], cwd=REPO_ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        peak = 0
        output: list[str] = []
        reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
        reader.start()
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kib(proc.pid))
            if time.perf_counter() - started > RUN_TIMEOUT_S:
                proc.kill()
            time.sleep(0.2)
        reader.join(timeout=10)
    elapsed = time.perf_counter() - started
    done = subprocess.CompletedProcess(proc.args, proc.returncode, "".join(output), "")
    return done, elapsed, peak / 1024


def _counted(log: Path) -> tuple[int, int]:
    kinds = Counter(line.split(" ", 1)[0] for line in log.read_text().splitlines()) if log.exists() else Counter()
    return kinds["read"], kinds["write"]


def _up(realms: Path, work: Path, label: str) -> Run:
    log = work / f"calls-{label}.log"
    done, seconds, peak = _pulumi(["up", "--yes", "--refresh", "--skip-preview"], realms, log)
    if done.returncode != 0:
        raise SystemExit(f"pulumi up failed ({label}):\n{done.stdout[-4000:]}")
    summary = done.stdout.split("Resources:")[-1].split("Duration")[0]
    changes = ", ".join(re.findall(r"(\d+ (?:created|updated|deleted|replaced|unchanged))", summary))
    reads, writes = _counted(log)
    return Run(seconds, reads, writes, peak, changes)


def _amend(realms: Path) -> None:
    """cd33's convention in force gains a rubrique its profile allows (famille, T5)."""
    path = realms / "conventions" / "cnaf-cd33.yaml"
    text = path.read_text()
    path.write_text(text.replace("rubriques: [dossier, droits, adresse, rsa, ressources]",
                                 "rubriques: [dossier, droits, adresse, rsa, ressources, famille]"))


def _converge_noop(realms: Path, target: Target) -> Run:
    state = desired_state_of(realms)
    started = time.perf_counter()
    admin = Admin(target, realm_views=True)
    changes = converge(admin, state.objects, state.federation, dry_run=True)
    seconds = time.perf_counter() - started
    writes = admin.calls["PUT"] + admin.calls["DELETE"]
    return Run(seconds, admin.calls["GET"] + admin.calls["POST"], writes, 0.0, f"{len(changes)} to change")


def _external(realms: Path) -> None:
    """Generated organisations authenticate with their own SAML IdP: no realm of their own, so all
    their objects land in the provider realm (thousands of groups and mappers in one realm)."""
    for path in realms.glob("organisations/org-*.yaml"):
        text = path.read_text()
        org = re.search(r"^  id: (\S+)", text, re.M)
        assert org is not None
        path.write_text(re.sub(r"^  realm: .*\n  authentication: .*$",
                               f"  authentication: {{type: saml, entity_id: https://idp.{org.group(1)}.example/saml,"
                               f" metadata_url: 'https://127.0.0.1:8643/{org.group(1)}/metadata',"
                               f" sso_url: 'https://127.0.0.1:8643/{org.group(1)}/sso'}}",
                               text, flags=re.M))


def bench(label: str, extra: int, target: Target, external: bool = False) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        realms = generate(extra, work / "realms")
        if external:
            _external(realms)
        sandbox.prefix_realms(realms, PREFIX)
        federation = load_federation([realms])
        objects = desired_state_of(realms, reachable=False).objects
        size = f"{label} ({len(federation.organisations)} orgs, {len(objects)} objects)"
        sandbox.fresh(target, STACK, PREFIX)
        try:
            print(f"  {size}: first converge …", file=sys.stderr, flush=True)
            runs = [("(a) first converge", _up(realms, work, "a"))]
            print(f"  {size}: no-op re-run …", file=sys.stderr, flush=True)
            runs.append(("(b) no-op re-run", _up(realms, work, "b")))
            runs.append(("(b) no-op, Pulumi-free converge", _converge_noop(realms, target)))
            _amend(realms)
            print(f"  {size}: one convention amended …", file=sys.stderr, flush=True)
            runs.append(("(c) one convention amended", _up(realms, work, "c")))
        finally:
            sandbox.remove(target, STACK, PREFIX)
        return [f"| {size} | {phase} | {r.seconds:.1f} | {r.reads} | {r.writes} | "
                f"{r.peak_mib:.0f} | {r.changes} |" for phase, r in runs]


def main(sizes: list[str]) -> None:
    target = Target.load()
    print("| federation | run | seconds | admin reads | admin writes | peak MiB (pulumi tree) | result |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    runs = [("reference", 0, False)]
    for size in sizes:
        external = size.endswith("x")
        extra = int(size.rstrip("x"))
        if extra > 0:
            runs.append((f"reference +{extra}{' external IdPs' if external else ''}", extra, external))
    for label, extra, external in runs:
        for line in bench(label, extra, target, external):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or ["100"])
