"""Scenario 1: the reference federation created from nothing, then nothing left to do."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import converge
from trustcircle.pipeline import desired_state_of


def test_create_the_federation(scenario_stack: ScenarioStack, admin: Admin) -> None:
    scenario_stack.fresh()
    state = desired_state_of(scenario_stack.realms)
    objects = state.objects

    first = scenario_stack.converged()
    # the stack, the Federation component and its undeclared-objects sweep (the ownership contract)
    assert first.count("created") == len(objects) + 3

    assert converge(admin, objects, state.federation, dry_run=True) == []
    again = scenario_stack.converged()
    assert again.count("unchanged") == len(objects) + 3 and again.writes == []
