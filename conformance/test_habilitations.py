"""What an assertion carries, decided at login by the extension: the convention's rubriques valid
now, intersected with what the agent's organisation granted; and a convention that ends refuses
access at the next login, with no re-apply."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.group import find_group
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target


def _sp(target: Target, cdap: SamlService) -> ServiceProvider:
    return for_service(target, cdap)


def test_an_organisation_asserting_more_than_its_convention_gets_only_the_intersection(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation,
        cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    allowed = rubriques_in_force(federation, "cd33", "cdap")
    asserted = [allowed[0], "creances", "qf"]  # creances and qf are not in cd33's convention
    admin.put(f"/{q(agent.realm)}/users/{agent.user_id}",
              {"attributes": {ids.HABILITATION_ATTRIBUTE: asserted}, "email": agent.email,
               "firstName": "Camille", "lastName": "Agent"})
    sp = _sp(target, cdap)
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent)
    assertion = sp.accept(saml_response_of(page, str(cdap.acs_url)))

    assert assertion.attributes.get(ids.HABILITATION_ATTRIBUTE) == [allowed[0]], assertion.attributes


@pytest.fixture
def cd33_cdap_group(admin: Admin) -> Iterator[dict[str, object]]:
    """cd33's CDAP convention group, its attributes put back as they were after the test."""
    group = find_group(admin, "cnaf", "/cd33/cdap")
    assert group is not None
    yield group
    admin.put(f"/cnaf/groups/{group['id']}", {"name": group["name"], "attributes": group["attributes"]})


@pytest.mark.destructive
def test_a_convention_that_ended_refuses_the_next_login_without_any_reapply(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService,
        cd33_cdap_group: dict[str, object]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    sp = _sp(target, cdap)
    first = brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent)
    assert sp.accept(saml_response_of(first, str(cdap.acs_url))).attributes.get(ids.HABILITATION_ATTRIBUTE)

    # time passes: the window's end is now behind us (what the group says at the end of a convention)
    attributes = dict(cd33_cdap_group["attributes"])  # type: ignore[call-overload]
    attributes[ids.CONVENTION_VALID_UNTIL_ATTR] = ["2026-01-01T00:00:00Z"]
    admin.put(f"/cnaf/groups/{cd33_cdap_group['id']}", {"name": cd33_cdap_group["name"], "attributes": attributes})

    again = brokered_saml_login(Browser(str(target.ca_bundle)), _sp(target, cdap), "cd33", agent)
    assert again.status == 403 and "convention_expired" in again.text
    assert not any("SAMLResponse" in form.fields for form in again.forms)
    events = admin.get("/cnaf/events?type=IDENTITY_PROVIDER_POST_LOGIN_ERROR&type=LOGIN_ERROR&max=100")
    assert any((e.get("details") or {}).get("trustcircle_rule") == "convention_expired" for e in events), events
