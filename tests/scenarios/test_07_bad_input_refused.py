"""Scenario 7: invalid input stops `pulumi up` before any write, and says why."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack


def test_bad_input_is_refused_before_any_write(stack: ScenarioStack) -> None:
    stack.edit("conventions/cnaf-cd33.yaml", "rubriques: [dossier, droits, adresse, rsa, ressources]",
               "rubriques: [dossier, droits, adresse, rsa, ressources, creances]")
    result = stack.up()
    assert result.returncode != 0
    assert "TC501" in result.output and "nothing was applied" in result.output
    assert result.writes == [] and result.touched() == []
