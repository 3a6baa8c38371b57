"""Scenario 2: a new partner organisation and its convention: only creations, nothing else touched."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin

ORGANISATION = """organisation:
  id: ccas-merignac
  name: Centre communal d'action sociale de Mérignac
  kind: partner
  parent: caf33
  realm: scn-ccas-merignac
  authentication: {type: keycloak}
  administrators: [admin@merignac.example]
  groups:
    - {id: travailleurs-sociaux, name: Travailleurs sociaux}
"""
CONVENTION = """convention:
  id: CNV-2026-0101
  organisation: ccas-merignac
  provider: cnaf
  managed_by: caf33
  status: verified
  amendments:
    - number: 0
      prepared_by: caf33.admin@caf.example
      prepared_on: 2026-09-01
      verified_by: caf33.verifier@caf.example
      verified_on: 2026-09-02
      forms:
        - service: cdap
          profile: T1
          rubriques: [dossier, adresse]
          valid_from: 2026-09-15
          valid_until: 2027-09-14
"""


def test_add_an_organisation(stack: ScenarioStack, admin: Admin) -> None:
    stack.file("organisations/ccas-merignac.yaml").write_text(ORGANISATION)
    stack.file("conventions/cnaf-ccas-merignac.yaml").write_text(CONVENTION)

    result = stack.converged()

    assert result.count("updated") == 0 and result.count("deleted") == 0
    assert all("ccas-merignac" in name for name in result.touched()), result.touched()
    cnaf = stack.realm("cnaf")
    assert admin.get(f"/{cnaf}/identity-provider/instances/ccas-merignac")["enabled"] is True
    group = admin.get(f"/{cnaf}/group-by-path/ccas-merignac/cdap")
    assert group["attributes"]["trustcircle.convention.id"] == ["CNV-2026-0101"]
    assert admin.get(f"/{stack.realm('ccas-merignac')}")["enabled"] is True
