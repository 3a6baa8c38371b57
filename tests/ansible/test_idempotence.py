"""The recaps scripts/ansible.sh recorded: a second run and a --check --diff run change nothing."""

from __future__ import annotations

import pytest

from tests.ansible.conftest import REPORTS


@pytest.mark.parametrize("run", ["run-2", "check-diff"])
def test_run_reports_changed_0(run: str) -> None:
    log = (REPORTS / f"{run}.log").read_text()
    assert "PLAY RECAP" in log
    assert (REPORTS / f"{run}.changed").read_text().strip() == "0", f"see {REPORTS / run}.log"


def test_first_run_converged() -> None:
    assert "failed=0" in (REPORTS / "run-1.log").read_text().split("PLAY RECAP")[-1]
