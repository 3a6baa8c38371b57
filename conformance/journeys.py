"""Whole journeys the upgrade tests (tests/upgrade, tests/ansible_upgrade) repeat before and after
an upgrade, on whichever server ``target`` names: an agent of an organisation reaching CDAP, an
agent without a convention refused, an administrator signing in with their one-time code."""

from __future__ import annotations

import time

from conformance.administrators import Person, totp
from conformance.agents import Agent
from conformance.browser import Browser
from conformance.conftest import cdap_of
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.home import is_signed_in, sign_in
from conformance.saml_sp import Assertion, for_service
from conformance.test_security_key import OTP_FORM
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Application, Federation
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target


def cdap_assertion(target: Target, browser: Browser, agent: Agent) -> Assertion:
    """The assertion CDAP accepts after the agent signed in at home (in ``browser``)."""
    cdap = cdap_of(load_federation([REPO_ROOT / "realms"]))
    sp = for_service(target, cdap)
    page = brokered_saml_login(browser, sp, agent.realm, agent)
    return sp.accept(saml_response_of(page, str(cdap.acs_url)))


def refused_without_convention(target: Target, agent: Agent) -> bool:
    """Whether CDAP gets no assertion for the agent (their organisation has no convention)."""
    cdap = cdap_of(load_federation([REPO_ROOT / "realms"]))
    page = brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), agent.realm, agent)
    return "SAMLResponse" not in page.text


def otp_sign_in(target: Target, realm: str, person: Person, used: set[str]) -> bool:
    """Password and one-time code at the person's realm; ``used``: the codes already spent (a code
    is accepted once: the next one is waited for)."""
    assert person.otp_key is not None
    code = totp(person.otp_key)
    while code in used:
        time.sleep(2)
        code = totp(person.otp_key)
    used.add(code)
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, realm, person.username, person.password)
    page = browser.submit(page, page.form(id=OTP_FORM), otp=code)
    return is_signed_in(page, target, realm)


def first_application(federation: Federation) -> tuple[str, Application]:
    """The federation's first application in force (the reference: cd33's RSA software calling
    CDAP's API), with the organisation whose convention declares it."""
    for convention in federation.conventions:
        amendment = convention.effective()
        for form in amendment.forms if amendment else []:
            for app in form.applications:
                return convention.organisation, app
    raise AssertionError("realms/ declares no application")
