"""The checker's rules are the extension listener's: both are tested against the same vectors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trustcircle.consistency.rules import Access, Home, Plan, plan
from trustcircle.settings import REPO_ROOT

VECTORS = REPO_ROOT / "extensions/consistency/src/test/resources/reconciliation-vectors.json"
CASES: list[dict[str, Any]] = json.loads(VECTORS.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_rules_follow_the_shared_vectors(case: dict[str, Any]) -> None:
    home, access, expect = case["home"], case["access"], case["expect"]
    got = plan(Home(home["exists"], home["status"], home["values"]),
               Access(access["enabled"], access["disabled_by"], access["values"]), case["synchronised"])
    assert got == Plan(expect["enable"], expect["disabled_by"], expect["set"], expect["end_sessions"])


def test_every_rule_has_a_vector() -> None:
    names = " ".join(c["name"] for c in CASES)
    for words in ("disabled at home", "deleted", "re-enabled", "someone else disabled", "not synchronised",
                  "even when no attribute is synchronised"):
        assert words in names, words


def test_a_plan_says_what_it_does_in_plain_words() -> None:
    todo = plan(Home(True, "inactive", {"lastName": "Martin"}), Access(True, None, {"lastName": "Agent"}),
                ["lastName"])
    assert todo.describe() == "disable (home account inactive); end its sessions; set lastName='Martin'"
