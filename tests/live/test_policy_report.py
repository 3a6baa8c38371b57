"""The policy report: every realm's policy as Keycloak holds it against the model; a change by hand
is a gap that fails the report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from trustcircle.cli import main
from trustcircle.keycloak.admin import Admin
from trustcircle.model.loader import load_federation
from trustcircle.policy.report import compare
from trustcircle.settings import REPO_ROOT


@pytest.fixture
def loosened(admin: Admin) -> Iterator[None]:
    """cd33's lockout loosened by hand (50 failures), put back after."""
    before = admin.get("/cd33")["failureFactor"]
    admin.put("/cd33", {"failureFactor": 50})
    yield
    admin.put("/cd33", {"failureFactor": before})


def test_the_applied_federation_has_no_gap(admin: Admin) -> None:
    rows = compare(load_federation([REPO_ROOT / "realms"]), admin)
    assert rows and [r for r in rows if r.status == "gap"] == []
    for realm in ("cd33", "cnaf"):  # an organisation's agents and administrators; a provider's administrators
        mine = {r.setting: r for r in rows if r.realm == realm}
        assert mine["who gives a second factor"].actual == "administrators"
        assert mine["concurrent sessions per own user"].actual == "at most 1 (terminate oldest session)"
    cd33_rules = next(r for r in rows if r.realm == "cd33" and r.setting == "password rules")
    assert "passwordBlacklist" in cd33_rules.actual  # cd33 tightened the profile with the deny-list
    limit = next(r for r in rows if r.realm == "cnaf" and r.setting == "concurrent sessions per agent (brokered)")
    assert (limit.status, limit.actual) == ("ok", "at most 1 (terminate oldest session)")


def test_a_policy_changed_by_hand_is_a_gap_and_fails(admin: Admin, loosened: None,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    gaps = [r for r in compare(load_federation([REPO_ROOT / "realms"]), admin) if r.status == "gap"]
    assert [(g.realm, g.setting, g.expected, g.actual) for g in gaps] == [
        ("cd33", "failed logins before lockout", "5", "50")]
    assert main(["policy", "report", str(REPO_ROOT / "realms")]) == 1
    assert "gap: cd33: failed logins before lockout must be 5, Keycloak has 50" in capsys.readouterr().err
