"""One identifier ties both sides of a federated access in the audit trail: the agent's login at
home and the provider's brokered login (or its refusal), rebuilt by `trustcircle audit trace`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance.agents import Agent
from conformance.audit import AUDIT, wait_for_records
from conformance.browser import Browser
from conformance.conftest import cdap_of
from conformance.flows import brokered_saml_login
from conformance.saml_sp import for_service
from trustcircle.audit import context
from trustcircle.audit.people import Directory
from trustcircle.audit.trace import read, render, trace
from trustcircle.model.schema import Federation
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target


def _home_login(agent: Agent) -> dict[str, Any]:
    found = wait_for_records(lambda r: r.get("realm") == agent.realm and r.get("type") == "LOGIN"
                             and r.get("user") == agent.user_id)
    assert found, f"no LOGIN of {agent.username} at home in {AUDIT}"
    return found[0]


def _sign_in(target: Target, federation: Federation, organisation: str, agent: Agent) -> None:
    cdap = cdap_of(federation)
    sp = for_service(target, cdap)
    brokered_saml_login(Browser(str(target.ca_bundle)), sp, organisation, agent)


def test_a_login_is_one_transaction_across_the_home_and_the_provider_realm(
        target: Target, make_agent: Callable[..., Agent], federation: Federation) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    _sign_in(target, federation, "cd33", agent)
    transaction = _home_login(agent).get("transaction")
    assert transaction, "the home realm's login carries no transaction id"

    found = trace(read([AUDIT]), transaction)
    at_provider = [r for r in found if r.get("realm") == "cnaf"]
    cdap = cdap_of(federation)
    assert any(r.get("type") == "LOGIN" and r.get("client") == cdap.entity_id for r in at_provider), found
    assert all(r.get("transaction") == transaction or r.get("user_session") for r in found)
    shown = render(found, transaction, _people(found))
    assert "cd33" in shown and "cnaf" in shown
    assert f"{agent.username} (cd33)" in shown  # who, by name and organisation, not a bare id


def _people(found: list[dict[str, Any]]) -> Directory:
    """Who the records name, as ``./run audit trace`` resolves them (the trail, then the admin API)."""
    return context.load(REPO_ROOT / "realms", use_admin=True).directory(found)


def test_a_refused_attempt_is_traced_on_both_sides_with_its_rule(
        target: Target, make_agent: Callable[..., Agent], federation: Federation) -> None:
    agent = make_agent("ccas-bordeaux")
    _sign_in(target, federation, "ccas-bordeaux", agent)
    transaction = _home_login(agent).get("transaction")
    assert transaction

    found = trace(read([AUDIT]), transaction)
    refusals = [r for r in found if r.get("realm") == "cnaf" and r.get("error") == "trustcircle_convention_denied"]
    assert refusals and refusals[0]["details"]["trustcircle_rule"] == "no_convention", found
    assert "1 refused" in render(found, transaction, _people(found))
