"""Scenario 5: an organisation leaves: what trustcircle made for it goes, its realm and its agents stay."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin


def test_remove_an_organisation(stack: ScenarioStack, admin: Admin) -> None:
    home = stack.realm("cpam69")
    agent = admin.post(f"/{home}/users", {"username": "agent-stays", "enabled": True})
    stack.file("organisations/cpam69.yaml").unlink()
    stack.file("conventions/cnaf-cpam69.yaml").unlink()

    result = stack.converged()

    assert result.count("created") == 0 and result.count("updated") == 0
    assert all("cpam69" in name for name in result.touched()), result.touched()
    cnaf = stack.realm("cnaf")
    assert admin.get(f"/{cnaf}/identity-provider/instances/cpam69", missing_ok=True) is None
    assert admin.get(f"/{cnaf}/group-by-path/cpam69", missing_ok=True) is None
    # the realm holds users trustcircle does not own: it is left, with them
    assert admin.get(f"/{home}")["realm"] == home
    assert admin.get(f"/{home}/users/{agent}")["username"] == "agent-stays"
