"""Accounts by mail, through a real SMTP server (the local mail catcher, STARTTLS with the local CA):
a new account's identifier and its password set-up link arrive in two separate messages, the link
is valid for the policy's 24 hours and sets the password; "forgot password" mails a reset link that
works the same way."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from conformance.agents import Agent
from conformance.browser import Browser, Page
from conformance.home import LOGIN_FORM, UPDATE_PASSWORD_FORM, choose_password, is_signed_in, login_page, sign_in
from conformance.mail import link_in, token_lifetime_s, wait_for_messages
from trustcircle.keycloak.admin import Admin, q
from trustcircle.local.mail import MailCatcher
from trustcircle.local.server import LocalKeycloak
from trustcircle.model.policies import effective
from trustcircle.model.schema import Federation
from trustcircle.target import Target

ORGANISATION = "cd33"


@pytest.fixture
def catcher(target: Target) -> MailCatcher:
    server = LocalKeycloak()
    if target.smtp is None or target.url != server.config.url:
        pytest.skip("reads the local federation's mail catcher: this target's mailboxes are not readable here")
    return server.mail


@pytest.fixture
def new_account(admin: Admin) -> Iterator[tuple[str, str, str]]:
    """An account created the way a partner administrator creates one: no password yet."""
    username = f"new-{secrets.token_hex(4)}"
    email = f"{username}@cd33.example"
    user_id = admin.post(f"/{ORGANISATION}/users", {"username": username, "email": email, "enabled": True,
                                                    "emailVerified": True, "firstName": "Sacha",
                                                    "lastName": "Nouveau"})
    assert user_id is not None
    yield user_id, username, email
    admin.delete(f"/{ORGANISATION}/users/{user_id}")


def _new_password() -> str:
    return secrets.token_hex(6) + "Aa1!"


def _follow_to_password_form(browser: Browser, link: str) -> Page:
    page = browser.get(link)
    if not any(f.attrs.get("id") == UPDATE_PASSWORD_FORM for f in page.forms):
        page = browser.get(page.link("action-token"))  # "perform the following actions": proceed
    assert any(f.attrs.get("id") == UPDATE_PASSWORD_FORM for f in page.forms), page.text[:1500]
    return page


def test_a_new_account_gets_its_identifier_and_its_set_up_link_separately(
        target: Target, admin: Admin, federation: Federation, catcher: MailCatcher,
        new_account: tuple[str, str, str]) -> None:
    user_id, username, email = new_account
    policy = effective(federation.settings.policies_in_force(), federation.organisation(ORGANISATION).policies)
    admin.put(f"/{ORGANISATION}/users/{user_id}/execute-actions-email", ["UPDATE_PASSWORD"])
    messages = wait_for_messages(catcher, email, 2)
    [(subject1, identifier)] = [m for m in messages if "https://" not in m[1]]
    [setup] = [text for _, text in messages if "https://" in text]

    assert "identifier" in subject1.lower() and f"Your identifier: {username}" in identifier
    link = link_in(setup)
    assert username not in setup  # and the link's message no identifier
    assert token_lifetime_s(link) == policy.password.temporary_validity_hours * 3600

    browser = Browser(str(target.ca_bundle))
    password = _new_password()
    choose_password(browser, _follow_to_password_form(browser, link), password)
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, username, password)
    assert is_signed_in(page, target, ORGANISATION), page.text[:1500]


def test_forgot_password_mails_a_reset_link(target: Target, catcher: MailCatcher,
                                            make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(ORGANISATION)
    browser = Browser(str(target.ca_bundle))
    page = login_page(browser, target, ORGANISATION)
    page.form(id=LOGIN_FORM)
    reset = browser.get(page.link("reset-credentials"))
    sent = browser.submit(reset, reset.form(id="kc-reset-password-form"), username=agent.username)
    assert sent.status == 200
    # the agent's identifier came when the account was made; the reset link is the other message
    [body] = [text for _, text in wait_for_messages(catcher, agent.email, 2) if "https://" in text]

    password = _new_password()
    mail_reader = Browser(str(target.ca_bundle))  # the link may be opened on another device
    done = choose_password(mail_reader, _follow_to_password_form(mail_reader, link_in(body)), password)
    assert done.status == 200 and not any(f.attrs.get("id") == UPDATE_PASSWORD_FORM for f in done.forms)
    assert not is_signed_in(sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, agent.username,
                                    agent.password), target, ORGANISATION)  # the old password no longer works
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, agent.username, password)
    assert is_signed_in(page, target, ORGANISATION), page.text[:1500]


def test_every_realm_sends_mail_through_the_target_s_smtp_server(admin: Admin, target: Target,
                                                                 federation: Federation) -> None:
    if target.smtp is None:
        pytest.skip("this target sends no mail")
    realms = [o.realm for o in federation.organisations if o.realm] + [p.realm for p in federation.providers]
    for realm in realms:
        settings = admin.get(f"/{q(realm)}")
        assert settings["smtpServer"]["host"] == target.smtp["host"] and settings["resetPasswordAllowed"], realm
        assert settings["smtpServer"].get("starttls") == "true" or settings["smtpServer"].get("ssl") == "true", realm
