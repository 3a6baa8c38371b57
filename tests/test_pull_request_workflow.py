"""The pull-request workflow's steps, run here: its exact ``run:`` lines, with the env it sets, on a
repository with a base and a head commit; `gh` is a stand-in that records the comment. The hosting
(GitHub's runner, its expressions, its token) is not what is tested."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trustcircle.review.diff import MARKER
from trustcircle.settings import REPO_ROOT

WORKFLOW = REPO_ROOT / ".github/workflows/pull-request.yml"
PROJECT = ("run", "scripts", "trustcircle", "versions.env", "requirements.lock", "pyproject.toml")
EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")
GH = """#!/usr/bin/env bash
# stand-in for the GitHub CLI: the first --edit-last finds no comment, as on a new pull request
if [[ " $* " == *" --edit-last "* && ! -f "$GH_LOG" ]]; then echo "no comments found" >&2; exit 1; fi
body="${@: -1}"; printf '%s\\n' "$*" >> "$GH_LOG"; cp "$body" "$GH_BODY"
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                          check=True, capture_output=True, text=True, timeout=60).stdout.strip()


def _workflow() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


@dataclass
class Run:
    repo: Path
    env: dict[str, str]
    results: list[tuple[str, int, str]]  # (step name, exit code, stdout)

    def output(self, name_part: str) -> str:
        return next(out for name, _, out in self.results if name_part in name)


def _pull_request(tmp_path: Path, head_edit: tuple[str, str, str]) -> tuple[Path, dict[str, str]]:
    """A checkout of the project with a base commit and a pull request's head commit."""
    repo = tmp_path / "checkout"
    shutil.copytree(REPO_ROOT / "realms", repo / "realms")
    for name in PROJECT:  # the project's own files, as in a checkout (not committed: only realms/ is read)
        (repo / name).symlink_to(REPO_ROOT / name)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "realms")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-qb", "proposal")
    rel, old, new = head_edit
    path = repo / "realms" / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    _git(repo, "commit", "-qam", "proposal")
    return repo, {"github.event.pull_request.base.sha": base,
                  "github.event.pull_request.head.sha": _git(repo, "rev-parse", "HEAD"),
                  "github.event.pull_request.number": "7", "github.token": "not-a-token"}


def _env(values: dict[str, str], *blocks: dict[str, str] | None) -> dict[str, str]:
    env: dict[str, str] = {}
    for block in blocks:
        for key, value in (block or {}).items():
            unknown = [e for e in EXPRESSION.findall(str(value)) if e not in values]
            assert unknown == [], f"{key}: give the test a value for {unknown}"
            env[key] = EXPRESSION.sub(lambda m: values[m.group(1)], str(value))
    return env


def run_workflow(tmp_path: Path, head_edit: tuple[str, str, str]) -> Run:
    """Each run: step in order, with GitHub's shell; after a failure only steps marked always()."""
    repo, values = _pull_request(tmp_path, head_edit)
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "gh").write_text(GH)
    (tools / "gh").chmod(0o755)
    job = _workflow()["jobs"]["review"]
    base_env = {"PATH": f"{tools}:{Path(sys.executable).parent}:{os.environ['PATH']}", "HOME": os.environ["HOME"],
                "RUNNER_TEMP": str(tmp_path), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
                "GH_LOG": str(tmp_path / "gh.log"), "GH_BODY": str(tmp_path / "comment.md"),
                "TRUSTCIRCLE_CACHE": os.environ.get("TRUSTCIRCLE_CACHE", f"{os.environ['HOME']}/.cache/trustcircle")}
    run = Run(repo, base_env, [])
    failed = False
    for step in (s for s in job["steps"] if "run" in s):
        if failed and "always()" not in str(step.get("if", "")):
            continue
        env = {**base_env, **_env(values, job.get("env"), step.get("env"))}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=repo,
                              env=env, capture_output=True, text=True, timeout=300, check=False)
        run.results.append((step["name"], done.returncode, done.stdout))
        failed = failed or done.returncode != 0
    return run


def test_the_workflow_runs_on_pull_requests_with_the_history_diff_needs() -> None:
    workflow = _workflow()
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    steps = workflow["jobs"]["review"]["steps"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_a_valid_pull_request_gets_its_changes_as_a_comment(tmp_path: Path) -> None:
    run = run_workflow(tmp_path, ("organisations/chu-bordeaux.yaml", "    sso_url: https://127.0.0.1:8643/idp/sso\n",
                                  "    sso_url: https://127.0.0.1:8643/idp/sso\n    encrypted_assertions: false\n"))
    assert [code for _, code, _ in run.results] == [0, 0, 0], run.results
    assert "::error" not in run.output("Validate")  # no annotation
    body = (tmp_path / "comment.md").read_text(encoding="utf-8")
    assert body.startswith(f"{MARKER}\n### Changes to realms/ from ")
    assert "#### Service social du CHU de Bordeaux (chu-bordeaux)\n- Encryption and signing: identity provider " \
           "encrypted assertions: false (was true)." in body
    posted = (tmp_path / "gh.log").read_text().splitlines()
    assert posted == [f"pr comment 7 --body-file {tmp_path}/trustcircle-diff.md"]  # after --edit-last found none
    assert body in (tmp_path / "summary.md").read_text(encoding="utf-8")


def test_an_invalid_pull_request_gets_annotations_and_still_its_comment(tmp_path: Path) -> None:
    run = run_workflow(tmp_path, ("conventions/cnaf-cd33.yaml", "provider: cnaf", "provider: cpam"))
    assert [code for _, code, _ in run.results] == [1, 0, 0], run.results
    assert run.output("Validate").startswith(
        "::error file=realms/conventions/cnaf-cd33.yaml,line=8,col=3,title=TC202::unknown provider 'cpam'")
    body = (tmp_path / "comment.md").read_text(encoding="utf-8")
    assert "realms/ in proposal has" not in body and "problem(s), so its access in effect is not computed" in body
    assert "- Access: convention CNV-2026-0001, provider: cpam (was cnaf)." in body
