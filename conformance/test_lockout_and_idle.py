"""Lockout and inactivity, by real attempts: after the policy's number of failed logins the account
is frozen and even the right password is refused; an idle session cannot be continued.

The idle probe shortens the realm's inactivity limit for a few seconds (the production value is
checked on the wire first, then put back): it is ``destructive``.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.home import LOGIN_FORM, is_signed_in, login_page, shown, sign_in
from trustcircle.keycloak.admin import Admin
from trustcircle.model.policies import Policies, effective
from trustcircle.model.schema import Federation
from trustcircle.target import Target

ORGANISATION = "cd33"
TIMEOUT_S = 30
# Keycloak locks an account for a minute when two failures come less than a second apart (its
# quick-login check, on by default): a person types slower than that, and so does this probe.
BETWEEN_ATTEMPTS_S = 1.2
SHORT_IDLE_S = 3


@pytest.fixture
def policies(federation: Federation) -> Policies:
    return effective(federation.settings.policies_in_force(), federation.organisation(ORGANISATION).policies)


@pytest.fixture
def agent(make_agent: Callable[..., Agent]) -> Agent:
    return make_agent(ORGANISATION)


def _lock_status(admin: Admin, agent: Agent) -> dict[str, object]:
    status: dict[str, object] = admin.get(f"/{agent.realm}/attack-detection/brute-force/users/{agent.user_id}")
    return status


def test_failed_logins_freeze_the_account(target: Target, admin: Admin, agent: Agent, policies: Policies) -> None:
    browser = Browser(str(target.ca_bundle))
    for attempt in range(policies.lockout.max_failures):
        page = login_page(browser, target, ORGANISATION)
        page = browser.submit(page, page.form(id=LOGIN_FORM), username=agent.username,
                              password=f"wrong-{secrets.token_hex(4)}")
        assert "Invalid username or password." in shown(page), f"attempt {attempt + 1}"
        assert _lock_status(admin, agent)["disabled"] is False or attempt == policies.lockout.max_failures - 1
        time.sleep(BETWEEN_ATTEMPTS_S)
    # the right password now: refused, with the same message (nothing tells an attacker it was right)
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, agent.username, agent.password)
    assert not is_signed_in(page, target, ORGANISATION)
    assert "Invalid username or password." in shown(page)
    status = _lock_status(admin, agent)
    assert status["disabled"] is True and status["numFailures"] == policies.lockout.max_failures, status
    # and for applications too (direct grant)
    refused = requests.post(f"{target.url}/realms/{agent.realm}/protocol/openid-connect/token", timeout=TIMEOUT_S,
                            verify=str(target.ca_bundle), data={"grant_type": "password", "client_id": "admin-cli",
                                                                "username": agent.username,
                                                                "password": agent.password})
    assert refused.status_code in (400, 401), refused.text
    realm = admin.get(f"/{agent.realm}")
    assert realm["waitIncrementSeconds"] == realm["maxFailureWaitSeconds"] == policies.lockout.wait_minutes * 60
    assert realm["permanentLockout"] is False  # frozen for the configured time, then free again


def test_fewer_failures_do_not_freeze_the_account(target: Target, admin: Admin, agent: Agent,
                                                  policies: Policies) -> None:
    browser = Browser(str(target.ca_bundle))
    for _ in range(policies.lockout.max_failures - 1):
        page = login_page(browser, target, ORGANISATION)
        browser.submit(page, page.form(id=LOGIN_FORM), username=agent.username, password="wrong-Password1!")
        time.sleep(BETWEEN_ATTEMPTS_S)
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, agent.username, agent.password)
    assert is_signed_in(page, target, ORGANISATION), shown(page)[:1500]


def _tokens(target: Target, agent: Agent) -> dict[str, str]:
    response = requests.post(f"{target.url}/realms/{agent.realm}/protocol/openid-connect/token",
                             data={"grant_type": "password", "client_id": "admin-cli", "username": agent.username,
                                   "password": agent.password},
                             verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def _refresh(target: Target, agent: Agent, refresh_token: str) -> requests.Response:
    return requests.post(f"{target.url}/realms/{agent.realm}/protocol/openid-connect/token",
                         data={"grant_type": "refresh_token", "client_id": "admin-cli", "refresh_token": refresh_token},
                         verify=str(target.ca_bundle), timeout=TIMEOUT_S)


@pytest.fixture
def short_idle(admin: Admin, agent: Agent) -> Iterator[None]:
    before = admin.get(f"/{agent.realm}")["ssoSessionIdleTimeout"]
    admin.put(f"/{agent.realm}", {"ssoSessionIdleTimeout": SHORT_IDLE_S})
    try:
        yield
    finally:
        admin.put(f"/{agent.realm}", {"ssoSessionIdleTimeout": before})


def test_the_session_lasts_the_policy_s_inactivity_limit(target: Target, agent: Agent, policies: Policies) -> None:
    granted = _tokens(target, agent)
    assert int(granted["refresh_expires_in"]) == policies.sessions.idle_minutes * 60


@pytest.mark.destructive
def test_an_idle_session_cannot_be_continued(target: Target, agent: Agent, short_idle: None) -> None:
    granted = _tokens(target, agent)
    assert int(granted["refresh_expires_in"]) == SHORT_IDLE_S
    active = _refresh(target, agent, granted["refresh_token"])  # activity keeps the session alive
    assert active.status_code == 200, active.text
    time.sleep(SHORT_IDLE_S + 2)
    idle = _refresh(target, agent, active.json()["refresh_token"])
    assert idle.status_code == 400 and idle.json()["error"] == "invalid_grant", idle.text


def test_a_refresh_token_works_once(target: Target, agent: Agent) -> None:
    """Refresh tokens rotate: the first use gives a new one, a second use of the old one is refused
    (a copied refresh token is useless once its owner has refreshed)."""
    old = _tokens(target, agent)["refresh_token"]
    renewed = _refresh(target, agent, old)
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != old, renewed.text
    replayed = _refresh(target, agent, old)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant", replayed.text
