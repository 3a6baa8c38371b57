"""No concurrent sessions (the federation's policy: one per agent): a new login ends the older
session at the provider."""

from __future__ import annotations

from collections.abc import Callable

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.conftest import cdap_of
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import for_service
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.schema import Federation
from trustcircle.target import Target


def test_a_second_login_ends_the_first_session(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation) -> None:
    assert federation.settings.policies_in_force().sessions.max_concurrent == 1
    cdap = cdap_of(federation)
    agent = make_agent("cd33", "instructeurs-rsa")
    first_sp, second_sp = for_service(target, cdap), for_service(target, cdap)
    first_sp.accept(saml_response_of(brokered_saml_login(Browser(str(target.ca_bundle)), first_sp, "cd33", agent),
                                     str(cdap.acs_url)))
    user = next(u for u in admin.get(f"/cnaf/users?email={q(agent.email)}&exact=true") if u.get("email") == agent.email)
    first = [s["id"] for s in admin.get(f"/cnaf/users/{user['id']}/sessions")]
    assert len(first) == 1

    second_sp.accept(saml_response_of(brokered_saml_login(Browser(str(target.ca_bundle)), second_sp, "cd33", agent),
                                      str(cdap.acs_url)))
    now = [s["id"] for s in admin.get(f"/cnaf/users/{user['id']}/sessions")]
    assert len(now) == 1 and now != first, (first, now)
