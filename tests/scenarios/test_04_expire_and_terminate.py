"""Scenario 4: a convention's window ends (the group's window moves; the gate refuses from then on),
then the convention is terminated (its groups go, and so does the organisation's delegates' right to
grant the groups it named; the organisation's other objects stay)."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin


def test_expire_then_terminate_a_convention(stack: ScenarioStack, admin: Admin) -> None:
    cnaf = stack.realm("cnaf")
    stack.edit("conventions/cnaf-cpam69.yaml", "valid_until: 2027-02-14", "valid_until: 2026-03-31")
    expired = stack.converged()
    assert expired.touched() == ["scn-cnaf/group//cpam69/cdap"], expired.touched()
    group = admin.get(f"/{cnaf}/group-by-path/cpam69/cdap")
    assert group["attributes"]["trustcircle.convention.valid_until"] == ["2026-03-31T22:00:00Z"]

    stack.edit("conventions/cnaf-cpam69.yaml", "status: verified", "status: terminated\n  terminated_on: 2026-04-01")
    terminated = stack.converged()
    # its group at the provider, and cpam69's delegates' permission to grant the groups it named
    assert terminated.count("deleted") == 2 and {"scn-cnaf/group//cpam69/cdap",
                                                 "scn-cpam69/admin_permission/trustcircle: grant the conventions' "
                                                 "groups"} <= set(terminated.touched()), terminated.touched()
    assert admin.get(f"/{cnaf}/group-by-path/cpam69/cdap", missing_ok=True) is None
    assert admin.get(f"/{cnaf}/group-by-path/cpam69", missing_ok=True) is not None
    assert admin.get(f"/{cnaf}/identity-provider/instances/cpam69", missing_ok=True) is not None
