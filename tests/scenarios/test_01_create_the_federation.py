"""Scenario 1: the reference federation created from nothing, then nothing left to do."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.deploy.environment import desired_state
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import converge
from trustcircle.model.loader import load_federation


def test_create_the_federation(scenario_stack: ScenarioStack, admin: Admin) -> None:
    scenario_stack.fresh()
    objects = desired_state(load_federation([scenario_stack.realms]))

    first = scenario_stack.converged()
    assert first.count("created") == len(objects) + 2  # the stack and the Federation component

    assert converge(admin, objects, dry_run=True) == []
    again = scenario_stack.converged()
    assert again.count("unchanged") == len(objects) + 2 and again.writes == []
