"""Levels of assurance end to end (SAML): an e-service asks for two factors (RequestedAuthnContext);
the provider asks the agent's organisation for that level; the organisation's realm steps up
(Keycloak's own level-of-authentication flow, with the agent's second factor) and asserts the level
reached (AuthnContextClassRef); the provider passes it on. A password alone is asserted as such, a
provider session at a lower level is stepped up at the organisation rather than reused, and an
organisation that asserts less is refused (``conformance/test_external_saml_idp.py``)."""

from __future__ import annotations

from collections.abc import Callable

from conformance.administrators import totp
from conformance.agents import Agent
from conformance.audit import wait_for_records
from conformance.browser import Browser, Page
from conformance.flows import brokered_login, saml_response_of
from conformance.home import LOGIN_FORM, shown
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle.model.schema import Federation, LevelOfAssurance, SamlService
from trustcircle.target import Target

OTP_FORM = "kc-otp-login-form"


def level(federation: Federation, factors: int) -> LevelOfAssurance:
    return next(loa for loa in federation.settings.levels_of_assurance if loa.factors == factors)


def _home_page(browser: Browser, start_url: str, organisation: str) -> Page:
    """From the e-service's request to the organisation's page (through the provider's choice)."""
    provider_login = browser.get(start_url)
    to_home = browser.get(provider_login.link(f"/broker/{organisation}/login"))
    return browser.submit(to_home, to_home.forms[0])


def _back_to_the_service(browser: Browser, page: Page, sp: ServiceProvider, cdap: SamlService) -> str:
    """The organisation's SAML response goes to the provider, whose response goes to the e-service."""
    assert page.forms and "SAMLResponse" in page.forms[0].fields, shown(page)[:1500]
    return saml_response_of(browser.submit(page, page.forms[0]), str(cdap.acs_url))


def test_two_factors_requested_are_given_at_home_and_asserted(
        target: Target, federation: Federation, cdap: SamlService, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa", with_otp=True)
    high = level(federation, 2)
    sp, browser = for_service(target, cdap), Browser(str(target.ca_bundle))
    home = _home_page(browser, sp.login_url(high.acr), "cd33")
    page = browser.submit(home, home.form(id=LOGIN_FORM), username=agent.username, password=agent.password)
    assert agent.otp_key is not None
    page = browser.submit(page, page.form(id=OTP_FORM), otp=totp(agent.otp_key))  # the organisation steps up
    assertion = sp.accept(_back_to_the_service(browser, page, sp, cdap))
    assert assertion.authn_context == high.acr


def test_a_password_alone_is_asserted_as_such(
        target: Target, federation: Federation, cdap: SamlService, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa", with_otp=True)
    sp = for_service(target, cdap)
    page = brokered_login(Browser(str(target.ca_bundle)), sp.login_url(), "cd33", agent)  # no code asked
    assert sp.accept(saml_response_of(page, str(cdap.acs_url))).authn_context == level(federation, 1).acr


def test_a_session_at_a_lower_level_is_stepped_up_at_the_organisation(
        target: Target, federation: Federation, cdap: SamlService, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa", with_otp=True)
    high = level(federation, 2)
    browser = Browser(str(target.ca_bundle))
    first = for_service(target, cdap)
    page = brokered_login(browser, first.login_url(), "cd33", agent)
    assert first.accept(saml_response_of(page, str(cdap.acs_url))).authn_context == level(federation, 1).acr

    # the same browser, now asked for two factors: the provider's session is not enough, the
    # organisation's session spares the password but not the second factor
    second = for_service(target, cdap)
    page = browser.get(second.login_url(high.acr))
    if page.forms and "SAMLRequest" in page.forms[0].fields:  # the provider asks the organisation again
        page = browser.submit(page, page.forms[0])
    assert agent.otp_key is not None
    page = browser.submit(page, page.form(id=OTP_FORM), otp=totp(agent.otp_key))
    assert second.accept(_back_to_the_service(browser, page, second, cdap)).authn_context == high.acr


def test_an_organisation_with_unverified_identities_cannot_assert_two_factors(
        target: Target, federation: Federation, cdap: SamlService, make_agent: Callable[..., Agent]) -> None:
    """ccas-bordeaux opens accounts without an identity check (quality 40) and "high" needs 50: its
    agent gives two factors at home and its realm asserts them, yet the provider counts a password
    only, and refuses (before looking at conventions), saying why in the audit trail."""
    agent = make_agent("ccas-bordeaux", with_otp=True)
    high = level(federation, 2)
    assert high.minimum_quality > federation.organisation("ccas-bordeaux").identities.quality
    sp, browser = for_service(target, cdap), Browser(str(target.ca_bundle))
    home = _home_page(browser, sp.login_url(high.acr), "ccas-bordeaux")
    page = browser.submit(home, home.form(id=LOGIN_FORM), username=agent.username, password=agent.password)
    assert agent.otp_key is not None
    page = browser.submit(page, page.form(id=OTP_FORM), otp=totp(agent.otp_key))
    assert page.forms and "SAMLResponse" in page.forms[0].fields, shown(page)[:1500]
    refused = browser.submit(page, page.forms[0])
    assert refused.status == 403 and "level of authentication" in shown(refused), (refused.status, shown(refused))
    refusals = wait_for_records(lambda r: r.get("realm") == "cnaf" and r.get("error") == "trustcircle_assurance_too_low"
                                and r.get("details", {}).get("identity_provider") == "ccas-bordeaux")
    assert refusals and refusals[-1]["details"]["trustcircle_assurance_needed"] == "2", refusals[-1:]
