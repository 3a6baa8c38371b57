"""An agent reaches CDAP through their own organisation's realm; without a convention, refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target

PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


@pytest.fixture
def sp(target: Target, federation: Federation, cdap: SamlService) -> ServiceProvider:
    realm = federation.provider("cnaf").realm
    assert realm == "cnaf"
    return for_service(target, cdap)


def _login(target: Target, sp: ServiceProvider, org: str, agent: Agent, cdap: SamlService) -> str:
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, org, agent)
    return saml_response_of(page, str(cdap.acs_url))


def test_agent_with_convention_gets_signed_assertion_with_habilitations(
        target: Target, sp: ServiceProvider, make_agent: Callable[..., Agent],
        federation: Federation, cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    assertion = sp.accept(_login(target, sp, "cd33", agent, cdap))

    assert assertion.issuer == f"{target.url}/realms/cnaf"
    assert assertion.name_id_format == PERSISTENT
    assert "@" not in assertion.name_id and agent.username not in assertion.name_id
    granted = rubriques_in_force(federation, "cd33", "cdap")
    assert sorted(assertion.attributes.get("habilitation", [])) == granted, assertion.attributes


def test_persistent_name_id_survives_an_email_change_at_home(
        target: Target, admin: Admin, make_agent: Callable[..., Agent],
        federation: Federation, cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    first_sp = for_service(target, cdap)
    first = first_sp.accept(_login(target, first_sp, "cd33", agent, cdap))

    moved = agent.email.replace("@", ".moved@")
    admin.put(f"/{q(agent.realm)}/users/{agent.user_id}", {"email": moved, "lastName": "Renamed"})
    second_sp = for_service(target, cdap)
    second = second_sp.accept(_login(target, second_sp, "cd33", agent, cdap))

    assert second.name_id == first.name_id
    assert second.attributes.get("email") in (None, [moved])


def test_agent_without_convention_is_refused_with_the_rule_and_an_event(
        target: Target, admin: Admin, sp: ServiceProvider, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("ccas-bordeaux")
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, "ccas-bordeaux", agent)

    assert page.status == 403
    assert "no_convention" in page.text
    assert not any("SAMLResponse" in form.fields for form in page.forms)
    events = admin.get("/cnaf/events?type=IDENTITY_PROVIDER_POST_LOGIN_ERROR&type=LOGIN_ERROR&max=50")
    denials = [e for e in events if e.get("error") == "trustcircle_convention_denied"
               and (e.get("details") or {}).get("trustcircle_rule") == "no_convention"]
    assert denials, events


def test_agent_outside_the_groups_the_convention_names_is_refused(
        target: Target, admin: Admin, sp: ServiceProvider, make_agent: Callable[..., Agent]) -> None:
    """cd33's convention covers its RSA instructors only: a social worker of cd33 gets nothing."""
    agent = make_agent("cd33", "travailleurs-sociaux")
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent)

    assert page.status == 403
    assert "no_convention" in page.text
