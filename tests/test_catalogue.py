"""The rule catalogue is the one list of rules: the code emits no other id, every rule is emitted
and tested, and the partner organisation's guide lists each one."""

from __future__ import annotations

import re

from trustcircle.model.catalogue import RULES
from trustcircle.settings import REPO_ROOT

RULE_ID = re.compile(r"\bTC[0-9]{3}\b")


def _ids_in(paths: list[str]) -> set[str]:
    found: set[str] = set()
    for pattern in paths:
        for path in REPO_ROOT.glob(pattern):
            found |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_code_emits_only_catalogued_rules_and_every_one_of_them() -> None:
    code = set()
    for path in (REPO_ROOT / "trustcircle" / "model").glob("*.py"):
        if path.name != "catalogue.py":
            code |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    assert code == set(RULES)


def test_every_rule_has_a_corpus_case_or_a_test() -> None:
    tested = _ids_in(["tests/corpus/*/*.yaml", "tests/test_*.py"])
    assert set(RULES) - tested == set()


def test_the_partner_guide_lists_every_rule() -> None:
    text = (REPO_ROOT / "docs" / "partner-organisation.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| TC"))
    assert set(RULE_ID.findall(table)) == set(RULES)
