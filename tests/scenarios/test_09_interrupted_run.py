"""Scenario 9: `pulumi up` killed mid-way (SIGKILL, no chance to clean up). The next run clears the
lock the dead process left, converges, and leaves neither duplicates nor orphans."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

from tests.scenarios.conftest import STACK, ScenarioStack
from trustcircle.deploy.recover import recover, stale_locks
from trustcircle.keycloak.admin import CALL_LOG_ENV, Admin
from trustcircle.keycloak.apply import converge
from trustcircle.pipeline import desired_state_of
from trustcircle.settings import REPO_ROOT

WRITES_BEFORE_KILL = 60
WAIT_S = 300



def _kill_after_writes(stack: ScenarioStack, writes: int) -> None:
    log = stack.work / "killed-run.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "TRUSTCIRCLE_REALMS": str(stack.realms), CALL_LOG_ENV: str(log)}
    run = subprocess.Popen(["pulumi", "up", "--yes", "--skip-preview", "--stack", STACK, "--non-interactive"],
                           cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and run.poll() is None:
        done = log.read_text().count("write ") if log.exists() else 0
        if done >= writes:
            break
        time.sleep(0.05)
    assert run.poll() is None, "the run ended before it could be interrupted"
    family = _descendants(run.pid)  # plugins run in process groups of their own: kill them too
    os.killpg(run.pid, signal.SIGKILL)
    for pid in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    run.wait(timeout=30)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                ppid = int(entry.joinpath("stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_a_killed_run_is_recovered_without_duplicates(scenario_stack: ScenarioStack, admin: Admin) -> None:
    scenario_stack.fresh()
    _kill_after_writes(scenario_stack, WRITES_BEFORE_KILL)
    assert stale_locks(os.environ["PULUMI_BACKEND_URL"], STACK), "the killed run should have left its lock"

    assert recover(STACK, REPO_ROOT) == 1
    result = scenario_stack.converged()
    assert result.count("created") > 0

    state = desired_state_of(scenario_stack.realms)
    objects = state.objects
    assert converge(admin, objects, state.federation, dry_run=True) == [], result.output[-6000:]
    cnaf = scenario_stack.realm("cnaf")
    scopes = [s["name"] for s in admin.get(f"/{cnaf}/client-scopes") if s["name"].startswith("cdap-api:")]
    assert len(scopes) == len(set(scopes)) == 7
    for idp in admin.get(f"/{cnaf}/identity-provider/instances"):
        names = [m["name"] for m in admin.get(f"/{cnaf}/identity-provider/instances/{idp['alias']}/mappers")]
        assert len(names) == len(set(names)), idp["alias"]
    assert scenario_stack.converged().touched() == []
