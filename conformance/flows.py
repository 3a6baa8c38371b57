"""The web-SSO journey of an agent, step by step, as a browser performs it."""

from __future__ import annotations

from conformance.agents import Agent
from conformance.browser import Browser, Page
from conformance.saml_sp import ServiceProvider


def brokered_saml_login(browser: Browser, sp: ServiceProvider, idp_alias: str, agent: Agent) -> Page:
    """From a SAML e-service to the provider, to the agent's home realm and back; the last page."""
    return brokered_login(browser, sp.login_url(), idp_alias, agent)


def brokered_login(browser: Browser, start_url: str, idp_alias: str, agent: Agent,
                   post: dict[str, str] | None = None) -> Page:
    """From the e-service's sign-in request (SAML or OIDC; ``post`` for the HTTP-POST binding) to
    the provider realm, to the agent's home realm (over SAML) and back; the last page (the
    e-service's, or the provider's refusal)."""
    to_home = authn_request_to_home(browser, start_url, idp_alias, post)
    home_login = browser.submit(to_home, to_home.forms[0])
    assert home_login.status == 200, home_login.text[:500]
    after_login = browser.submit(home_login, home_login.form(id="kc-form-login"),
                                 username=agent.username, password=agent.password)
    # the home realm answers with a SAML response to the provider's broker endpoint
    assert after_login.forms and "SAMLResponse" in after_login.forms[0].fields, after_login.text[:1500]
    return browser.submit(after_login, after_login.forms[0])


def authn_request_to_home(browser: Browser, start_url: str, idp_alias: str,
                          post: dict[str, str] | None = None) -> Page:
    """The page on which the provider sends its (signed) AuthnRequest to the agent's home, in a
    form the browser posts (HTTP-POST binding), after the agent picked their organisation."""
    provider_login = browser.post(start_url, post) if post is not None else browser.get(start_url)
    assert provider_login.status == 200, provider_login.text[:500]
    # the provider realm's login page offers the organisations; the agent picks theirs
    to_home = browser.get(provider_login.link(f"/broker/{idp_alias}/login"))
    assert to_home.forms and "SAMLRequest" in to_home.forms[0].fields, to_home.text[:1500]
    return to_home


def saml_response_of(page: Page, acs_url: str) -> str:
    """The SAMLResponse a page posts to the e-service's ACS (the browser would post it)."""
    for form in page.forms:
        if form.action == acs_url and "SAMLResponse" in form.fields:
            return form.fields["SAMLResponse"]
    raise AssertionError(f"no SAML response to {acs_url} on {page.url} (status {page.status}):\n{page.text[:2000]}")
