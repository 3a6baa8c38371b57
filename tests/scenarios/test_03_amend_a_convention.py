"""Scenario 3: an amendment adds a rubrique, a later one removes it; only that group changes."""

from __future__ import annotations

from tests.scenarios.conftest import ScenarioStack
from trustcircle.keycloak.admin import Admin

AMENDMENT = """    - number: {number}
      prepared_by: caf33.admin@caf.example
      prepared_on: 2026-10-0{number}
      verified_by: caf33.verifier@caf.example
      verified_on: 2026-10-0{number}
      forms:
        - service: cdap
          profile: T5
          rubriques: {rubriques}
          groups: [instructeurs-rsa]
          valid_from: 2026-01-01
          valid_until: 2028-12-31
          applications:
            - id: gestion-rsa
              name: Logiciel de gestion du RSA
              api: cdap-api
              scopes: {app_scopes}
              mtls: {{subject: "CN=gestion-rsa,OU=applications,O=cd33"}}
              on_behalf_of: {{redirect_uris: ["https://127.0.0.1:8547/gestion-rsa/callback"]}}
        - service: aides
          profile: T1
          rubriques: [demandes, decisions]
          groups: [travailleurs-sociaux]
          valid_from: 2026-04-01
          valid_until: 2027-12-31
"""


APP_SCOPES = "[dossier, droits, rsa]"  # the reference application's, within every amendment here
CD33_GROUPS = ["scn-cnaf/group//cd33/aides", "scn-cnaf/group//cd33/cdap"]


def _rubriques(admin: Admin, stack: ScenarioStack) -> list[str]:
    group = admin.get(f"/{stack.realm('cnaf')}/group-by-path/cd33/cdap")
    mappings = admin.get(f"/{stack.realm('cnaf')}/groups/{group['id']}/role-mappings")["clientMappings"]
    return sorted(r["name"] for r in mappings["urn:trustcircle:sp:cdap"]["mappings"])


def test_amend_a_convention_add_then_remove_a_rubrique(stack: ScenarioStack, admin: Admin) -> None:
    path = stack.file("conventions/cnaf-cd33.yaml")
    path.write_text(path.read_text() + AMENDMENT.format(
        number=2, rubriques="[dossier, droits, adresse, rsa, ressources, famille]", app_scopes=APP_SCOPES))
    added = stack.converged()
    # both of cd33's convention groups record the amendment in force; only cdap's rubriques change
    assert added.touched() == CD33_GROUPS, added.touched()
    assert "famille" in _rubriques(admin, stack)

    path.write_text(path.read_text() + AMENDMENT.format(number=3, rubriques="[dossier, droits, adresse, rsa]",
                                                          app_scopes=APP_SCOPES))
    removed = stack.converged()
    assert removed.touched() == CD33_GROUPS, removed.touched()
    assert _rubriques(admin, stack) == ["adresse", "dossier", "droits", "rsa"]


def test_an_amendment_awaiting_verification_changes_nothing(stack: ScenarioStack) -> None:
    path = stack.file("conventions/cnaf-cd33.yaml")
    pending = AMENDMENT.format(number=2, rubriques="[dossier]", app_scopes="[dossier]").replace(
        "      verified_by: caf33.verifier@caf.example\n      verified_on: 2026-10-02\n", "")
    path.write_text(path.read_text() + pending)
    result = stack.converged()
    assert result.touched() == [] and result.writes == []
