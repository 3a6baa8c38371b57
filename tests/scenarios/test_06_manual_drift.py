"""Scenario 6: changes made by hand (a role added to a group, a redirect URI edited, a client
deleted) are reported by `pulumi preview --refresh` and put back by `pulumi up`."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.client import find_client
from trustcircle.keycloak.group import find_group


def test_manual_drift_is_reported_then_reverted(stack: ScenarioStack, admin: Admin) -> None:
    cnaf = stack.realm("cnaf")
    cdap = find_client(admin, cnaf, "urn:trustcircle:sp:cdap")
    assert cdap is not None
    group = find_group(admin, cnaf, "/cd33/cdap")
    assert group is not None
    creances = admin.get(f"/{cnaf}/clients/{cdap['id']}/roles/creances")
    admin.post(f"/{cnaf}/groups/{group['id']}/role-mappings/clients/{cdap['id']}", [creances])
    admin.put(f"/{cnaf}/clients/{cdap['id']}", {**cdap, "redirectUris": ["https://attacker.example/acs"]})
    aides = find_client(admin, cnaf, "urn:trustcircle:rp:aides")
    assert aides is not None
    admin.delete(f"/{cnaf}/clients/{aides['id']}")

    preview = stack.preview()
    assert preview.returncode == 0, preview.output[-4000:]
    assert "creances" in preview.output and "attacker.example" in preview.output
    assert preview.writes == []

    result = stack.converged()
    assert {"scn-cnaf/group//cd33/cdap", "scn-cnaf/client/urn:trustcircle:sp:cdap",
            "scn-cnaf/client/urn:trustcircle:rp:aides"} <= set(result.touched()), result.touched()
    restored = find_client(admin, cnaf, "urn:trustcircle:sp:cdap")
    assert restored is not None and restored["redirectUris"] == ["https://127.0.0.1:8543/cdap/saml/acs"]
    assert find_client(admin, cnaf, "urn:trustcircle:rp:aides") is not None
    mappings = admin.get(f"/{cnaf}/groups/{group['id']}/role-mappings")["clientMappings"]
    assert "creances" not in {r["name"] for r in mappings["urn:trustcircle:sp:cdap"]["mappings"]}
    assert stack.converged().touched() == []
