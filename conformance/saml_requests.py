"""The provider's AuthnRequest to an organisation, as a browser carries it (HTTP-POST binding), and
forgeries of it: what the organisation's identity provider must refuse; and the organisation's
answer on its way back, which must be encrypted."""

from __future__ import annotations

import base64
import re

from conformance.browser import Browser, Page
from conformance.flows import authn_request_to_home
from conformance.saml_sp import for_service
from trustcircle.model.schema import SamlService
from trustcircle.target import Target

SIGNATURE = re.compile(r"<(\w+:)?Signature\b.*?</\1Signature>", re.S)


def signed_request_to(target: Target, service: SamlService, organisation: str) -> tuple[Browser, Page, str]:
    """A browser that started at the e-service and picked ``organisation``; the page that posts the
    provider's AuthnRequest there, and that request's XML."""
    browser = Browser(str(target.ca_bundle))
    page = authn_request_to_home(browser, for_service(target, service).login_url(), organisation)
    return browser, page, base64.b64decode(page.forms[0].fields["SAMLRequest"]).decode()


def repost(browser: Browser, page: Page, request_xml: str) -> Page:
    """The browser posts the (possibly altered) request where the provider's form sends it."""
    form = page.forms[0]
    return browser.submit(page, form, SAMLRequest=base64.b64encode(request_xml.encode()).decode())


def altered(request_xml: str) -> dict[str, str]:
    """A request in the provider's name that is not the provider's: without its signature, or
    asking after signing for the agent's e-mail address as their identifier instead of the
    persistent pseudonym (what an impostor would want; an identity provider that checks nothing
    would sign the agent in all the same)."""
    changed = request_xml.replace("nameid-format:persistent", "nameid-format:emailAddress", 1)
    assert changed != request_xml, request_xml[:800]
    return {"unsigned": SIGNATURE.sub("", request_xml, count=1), "changed after signing": changed}


def response_to_provider(target: Target, service: SamlService, organisation: str, username: str,
                         password: str) -> tuple[Browser, Page]:
    """Signed in at the organisation's identity provider: the browser, and the page that posts
    the organisation's SAML response to the provider's broker endpoint for that link."""
    browser, page, _ = signed_request_to(target, service, organisation)
    home = browser.submit(page, page.forms[0])
    answered = browser.submit(home, home.form(id="kc-form-login"), username=username, password=password)
    assert answered.forms and "SAMLResponse" in answered.forms[0].fields, answered.text[:1500]
    assert answered.forms[0].action == f"{target.url}/realms/cnaf/broker/{organisation}/endpoint"
    return browser, answered


def response_on_the_wire(answered: Page) -> str:
    """The SAML response (XML) the page is about to post to the provider."""
    return base64.b64decode(answered.forms[0].fields["SAMLResponse"]).decode()


def assert_clear_assertion_refused(browser: Browser, answered: Page, acs_url: str) -> None:
    """The page posts an assertion in clear to the provider: the provider refuses it, and the
    e-service gets nothing."""
    assert re.search(r"<(\w+:)?Assertion\b", response_on_the_wire(answered)), "sent in clear"
    refused = browser.submit(answered, answered.forms[0])
    assert refused.status >= 400, (refused.status, refused.text[-600:])
    assert not any(f.action == acs_url for f in refused.forms)
