"""A Pulumi stack of its own (``scenarios``) whose realms are all prefixed ``scn-``: the scenarios
change the federation freely without touching the local one. Each scenario starts from the
reference federation (``stack.reset()`` then ``stack.up()``), so each runs alone:
``./run pytest tests/scenarios/test_04_expire_and_terminate.py`` after ``./run up``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from trustcircle.deploy import sandbox
from trustcircle.keycloak.admin import CALL_LOG_ENV, Admin
from trustcircle.pipeline import local_target_path
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

STACK = "scenarios"
PREFIX = "scn-"
APPLY_PREFIX = "sca-"  # the trustcircle apply path's copy (another federation)
TIMEOUT_S = 900


@dataclass
class Result:
    returncode: int
    output: str
    writes: list[str]

    def count(self, what: str) -> int:
        """How many objects the run created/updated/deleted (from Pulumi's summary)."""
        summary = self.output.split("Resources:")[-1]
        found = re.search(rf"(\d+) {what}", summary)
        return int(found.group(1)) if found else 0

    def touched(self) -> list[str]:
        """Names of the objects the run created, updated or deleted."""
        return sorted(set(re.findall(r"dynamic\S* (.+?) (?:created|updated|deleted) \(", self.output)))


class ScenarioStack:
    def __init__(self, work: Path, target: Target) -> None:
        self.work, self.target = work, target
        self.realms = work / "realms"

    def realm(self, name: str) -> str:
        return PREFIX + name

    def reset(self) -> None:
        """realms/ as in the repository, every realm prefixed."""
        sandbox.copy_realms(self.realms, PREFIX)

    def file(self, relative: str) -> Path:
        return self.realms / relative

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.file(relative)
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))

    def _pulumi(self, *args: str) -> Result:
        log = self.work / "calls.log"
        log.unlink(missing_ok=True)
        env = {**os.environ, "TRUSTCIRCLE_REALMS": str(self.realms), CALL_LOG_ENV: str(log)}
        done = subprocess.run(["pulumi", *args, "--stack", STACK, "--non-interactive"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        writes = [line for line in (log.read_text().splitlines() if log.exists() else []) if line.startswith("write")]
        return Result(done.returncode, done.stdout + done.stderr, writes)

    def up(self) -> Result:
        return self._pulumi("up", "--yes", "--refresh", "--skip-preview")

    def converged(self) -> Result:
        result = self.up()
        assert result.returncode == 0, result.output[-4000:]
        return result

    def preview(self) -> Result:
        return self._pulumi("preview", "--refresh", "--diff")

    def fresh(self) -> None:
        """No scenario realm in Keycloak, an empty stack and the reference realms/ again."""
        sandbox.fresh(self.target, STACK, PREFIX)
        self.reset()

    def remove_everything(self) -> None:
        sandbox.remove(self.target, STACK, PREFIX)


@pytest.fixture(scope="session")
def scenario_stack(target: Target, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScenarioStack]:
    stack = ScenarioStack(tmp_path_factory.mktemp("scenarios"), target)
    stack.fresh()
    yield stack
    stack.remove_everything()


@pytest.fixture
def stack(scenario_stack: ScenarioStack) -> ScenarioStack:
    """The scenario stack converged on the reference federation."""
    scenario_stack.reset()
    scenario_stack.converged()
    return scenario_stack


class ApplyPath:
    """``trustcircle apply`` on a copy of realms/ whose realms and federation carry ``sca-``."""

    def __init__(self, work: Path, admin: Admin) -> None:
        self.realms, self.admin = work / "realms", admin

    def realm(self, name: str) -> str:
        return APPLY_PREFIX + name

    def reset(self) -> None:
        sandbox.copy_realms(self.realms, APPLY_PREFIX)

    def apply(self, *extra: str) -> subprocess.CompletedProcess[str]:
        """``trustcircle apply --json`` as the Ansible module runs it (``extra``: ``--check``)."""
        return subprocess.run([sys.executable, "-m", "trustcircle", "apply", "--realms", str(self.realms),
                               "--target", str(local_target_path()), "--json", *extra], cwd=REPO_ROOT,
                              env=dict(os.environ), capture_output=True, text=True, timeout=TIMEOUT_S, check=False)

    def changes(self) -> list[dict[str, Any]]:
        """The change list the Ansible module reads (name, action, fields)."""
        done = self.apply()
        assert done.returncode == 0, done.stderr[-3000:]
        changes: list[dict[str, Any]] = json.loads(done.stdout)
        return changes

    def converge(self) -> list[str]:
        return sorted(c["name"] for c in self.changes())

    def remove_everything(self) -> None:
        sandbox.remove_realms(self.admin, APPLY_PREFIX)


@pytest.fixture(scope="session")
def apply_path(admin: Admin, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApplyPath]:
    path = ApplyPath(tmp_path_factory.mktemp("apply-path"), admin)
    path.remove_everything()
    yield path
    path.remove_everything()


class DeployPath(Protocol):
    realms: Path

    def realm(self, name: str) -> str: ...
    def reset(self) -> None: ...
    def converge(self) -> list[str]: ...


class PulumiPath:
    def __init__(self, stack: ScenarioStack) -> None:
        self.stack, self.realms = stack, stack.realms

    def realm(self, name: str) -> str:
        return self.stack.realm(name)

    def reset(self) -> None:
        self.stack.reset()

    def converge(self) -> list[str]:
        return self.stack.converged().touched()


@pytest.fixture(params=["pulumi", "apply"])
def path(request: pytest.FixtureRequest, scenario_stack: ScenarioStack) -> DeployPath:
    """Each deployment path in turn, converged on the reference federation."""
    chosen: DeployPath = (PulumiPath(scenario_stack) if request.param == "pulumi"
                          else request.getfixturevalue("apply_path"))
    chosen.reset()
    chosen.converge()
    return chosen
