"""playbooks/site.yml with --check --diff on the converged host reports no change: after converge
and idempotence, a dry run finds nothing left to do (a task that reports a change in check mode
would be one that cannot tell the host is already right).

Ansible's own junit callback records every task's result, a change counted as a failure
(JUNIT_FAIL_ON_CHANGE). That report holds whole task results (gathered facts include the
environment, and so the test host's secrets): it is read in a temporary directory and not kept;
the run's output, as ansible-playbook prints it, is kept in reports/ansible/check-diff.log."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from defusedxml import ElementTree

from tests.ansible.it_host import INVENTORY
from trustcircle.settings import REPO_ROOT

LOG = REPO_ROOT / "reports" / "ansible" / "check-diff.log"
TIMEOUT_S = 1800


def _changed_tasks(junit_dir: Path) -> list[str]:
    reports = sorted(junit_dir.glob("*.xml"))
    assert reports, f"no junit report in {junit_dir}"
    return [str(case.get("name")) for report in reports for case in ElementTree.parse(report).iter("testcase")
            if case.find("failure") is not None or case.find("error") is not None]


def test_site_yml_check_diff_reports_no_change() -> None:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as junit_dir, LOG.open("w") as output:
        env = os.environ | {"ANSIBLE_CALLBACKS_ENABLED": "ansible.builtin.junit", "JUNIT_OUTPUT_DIR": junit_dir,
                            "JUNIT_FAIL_ON_CHANGE": "true", "JUNIT_HIDE_TASK_ARGUMENTS": "true"}
        run = subprocess.run(["ansible-playbook", "--inventory", str(INVENTORY), "playbooks/site.yml",
                              "--check", "--diff"], cwd=REPO_ROOT, env=env, stdout=output,
                             stderr=subprocess.STDOUT, timeout=TIMEOUT_S, check=False)
        assert run.returncode == 0, f"site.yml --check --diff failed: read {LOG}"
        changed = _changed_tasks(Path(junit_dir))
    assert not changed, f"site.yml --check --diff would change (read {LOG}):\n" + "\n".join(changed)
