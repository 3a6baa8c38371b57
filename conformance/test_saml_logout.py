"""Single logout: an agent who logs out at the e-service is logged out at the provider realm and at
their home organisation's realm, and the e-service gets a successful LogoutResponse."""

from __future__ import annotations

from collections.abc import Callable

from conformance.agents import Agent
from conformance.browser import Browser, Page
from conformance.conftest import cdap_of
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import for_service
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.schema import Federation
from trustcircle.target import Target

MAX_HOPS = 8


def _brokered_user(admin: Admin, agent: Agent) -> str:
    found = [u for u in admin.get(f"/cnaf/users?email={q(agent.email)}&exact=true") if u.get("email") == agent.email]
    assert len(found) == 1, found
    return str(found[0]["id"])


def _follow_to(browser: Browser, page: Page, slo_url: str) -> str:
    """Submit the pages' auto-post forms (provider → home → provider) until the one for the SP."""
    for _ in range(MAX_HOPS):
        for form in page.forms:
            if form.action == slo_url and "SAMLResponse" in form.fields:
                return form.fields["SAMLResponse"]
        assert page.forms, f"logout stopped at {page.url} ({page.status}):\n{page.text[:1500]}"
        page = browser.submit(page, page.forms[0])
    raise AssertionError(f"no LogoutResponse for the e-service after {MAX_HOPS} steps")


def test_logout_at_the_e_service_ends_the_provider_and_home_sessions(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation) -> None:
    cdap = cdap_of(federation)
    assert cdap.slo_url is not None
    agent = make_agent("cd33", "instructeurs-rsa")
    browser = Browser(str(target.ca_bundle))
    sp = for_service(target, cdap)
    assertion = sp.accept(saml_response_of(brokered_saml_login(browser, sp, "cd33", agent), str(cdap.acs_url)))
    at_provider = _brokered_user(admin, agent)
    assert admin.get(f"/cnaf/users/{at_provider}/sessions")
    assert admin.get(f"/{agent.realm}/users/{agent.user_id}/sessions")

    response = _follow_to(browser, browser.get(sp.logout_url(assertion.name_id)), str(cdap.slo_url))

    assert sp.logout_done(response)
    assert admin.get(f"/cnaf/users/{at_provider}/sessions") == []
    assert admin.get(f"/{agent.realm}/users/{agent.user_id}/sessions") == []
