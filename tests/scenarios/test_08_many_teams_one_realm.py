"""Scenario 8: conventions of many organisations land in one provider realm; one organisation's
change rewrites none of the others' objects."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack


def test_one_organisations_change_touches_only_its_objects(stack: ScenarioStack) -> None:
    stack.edit("organisations/cd33.yaml", "    - {id: travailleurs-sociaux, name: Travailleurs sociaux}\n",
               "    - {id: travailleurs-sociaux, name: Travailleurs sociaux}\n"
               "    - {id: assistants-familiaux, name: Assistants familiaux}\n")
    stack.edit("conventions/cnaf-cd33.yaml", "          groups: [travailleurs-sociaux]",
               "          groups: [travailleurs-sociaux, assistants-familiaux]")
    result = stack.converged()
    touched = result.touched()
    assert touched and all("cd33" in name for name in touched), touched
    assert len(result.writes) <= 12, result.writes
