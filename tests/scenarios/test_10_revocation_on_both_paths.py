"""Scenario 10: revocation does not depend on the deployment path. The same changes to realms/ —
narrow a form's groups, end a convention's window, terminate it, remove the organisation — applied
by ``pulumi up`` and by ``trustcircle apply`` (what the Ansible role runs), each followed by a real
brokered SAML sign-in of a cd33 agent to CDAP: signed in before, refused after, on both paths.

Each path works on its own copy of the federation (realms prefixed ``scn-`` for Pulumi, ``sca-``
for apply, each a federation of its own), so they never touch each other or the local federation."""

from __future__ import annotations

import pytest

from conformance.agents import Agent, create_agent
from conformance.browser import Browser, Page
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import for_service
from tests.scenarios.conftest import DeployPath
from trustcircle.keycloak.admin import Admin
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import SamlService
from trustcircle.target import Target

CD33_CONVENTION = "conventions/cnaf-cd33.yaml"


def _edit(path: DeployPath, relative: str, old: str, new: str) -> None:
    file = path.realms / relative
    text = file.read_text()
    assert old in text, f"{old!r} not in {relative}"
    file.write_text(text.replace(old, new))


def _sign_in(target: Target, path: DeployPath, agent: Agent) -> Page:
    """A cd33 agent's sign-in to CDAP of this path's provider realm, in a new browser."""
    federation = load_federation([path.realms])
    cdap = next(s for s in federation.provider("cnaf").services if s.id == "cdap")
    assert isinstance(cdap, SamlService)
    sp = for_service(target, cdap, provider_realm=path.realm("cnaf"))
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent)
    if page.status == 200:
        assertion = sp.accept(saml_response_of(page, str(cdap.acs_url)))
        assert assertion.attributes.get("habilitation"), assertion.attributes
    return page


def _refused(page: Page, rule: str) -> None:
    assert page.status == 403, page.text[:800]
    assert rule in page.text
    assert not any("SAMLResponse" in form.fields for form in page.forms)


def _join(admin: Admin, agent: Agent, group: str) -> None:
    """The agent's organisation puts them in ``group`` as well (at home)."""
    found = admin.get(f"/{agent.realm}/group-by-path/{group}")
    admin.put(f"/{agent.realm}/users/{agent.user_id}/groups/{found['id']}", {})


def test_each_revoking_change_is_enforced_at_the_next_sign_in(path: DeployPath, target: Target, admin: Admin) -> None:
    """One agent through the changes in turn; each refusal names the rule that now applies, so a
    step that did not take effect (a group left behind, say) shows as the previous step's rule."""
    agent = create_agent(admin, path.realm("cd33"), "cd33.example", ("instructeurs-rsa",))
    assert _sign_in(target, path, agent).status == 200

    # the form of the convention in force names another group: the agent's group loses CDAP
    _edit(path, CD33_CONVENTION, "groups: [instructeurs-rsa]", "groups: [travailleurs-sociaux]")
    path.converge()
    _refused(_sign_in(target, path, agent), "no_convention")
    _join(admin, agent, "travailleurs-sociaux")  # in the group the form now names: CDAP again
    assert _sign_in(target, path, agent).status == 200

    # the window ends (today is past it): the group's window moves, the gate refuses
    _edit(path, CD33_CONVENTION, "valid_until: 2028-12-31", "valid_until: 2026-01-31")
    path.converge()
    _refused(_sign_in(target, path, agent), "convention_expired")

    # terminated: the convention's groups are removed at the provider (no convention at all now)
    _edit(path, CD33_CONVENTION, "status: verified", "status: terminated\n  terminated_on: 2026-06-30")
    path.converge()
    assert admin.get(f"/{path.realm('cnaf')}/group-by-path/cd33/cdap", missing_ok=True) is None
    _refused(_sign_in(target, path, agent), "no_convention")

    # the organisation leaves: what trustcircle made for it goes, its realm and agents stay
    (path.realms / "organisations" / "cd33.yaml").unlink()
    (path.realms / CD33_CONVENTION).unlink()
    path.converge()
    cnaf = path.realm("cnaf")
    assert admin.get(f"/{cnaf}/identity-provider/instances/cd33", missing_ok=True) is None
    assert admin.get(f"/{cnaf}/group-by-path/cd33", missing_ok=True) is None
    with pytest.raises(AssertionError):  # the provider no longer offers cd33 to sign in with
        _sign_in(target, path, agent)
    assert admin.get(f"/{path.realm('cd33')}/users/{agent.user_id}")["username"] == agent.username
