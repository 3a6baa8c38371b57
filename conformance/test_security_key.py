"""A security key (WebAuthn) as an administrator's second factor, registered and used through
Keycloak's own pages by a software authenticator (``conformance/webauthn.py``): an administrator
who has one signs in with it, a signature by another key is refused, the one-time code stays
available ("try another way"), and an administrator with no second factor at all must set up the
authenticator app before going anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from conformance.administrators import REALM, Person, make_person, totp
from conformance.browser import Browser, Page
from conformance.home import is_signed_in, shown, sign_in
from conformance.webauthn import SecurityKey
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.target import Target

REGISTER_FORM = "register"  # Keycloak's webauthn-register page
KEY_FORM = "webauth"  # Keycloak's webauthn-authenticate page
OTP_FORM = "kc-otp-login-form"
OTP_SETUP_FORM = "kc-totp-settings-form"
ANOTHER_WAY_FORM = "kc-select-try-another-way-form"
# Keycloak's "try another way" list: each choice's execution, then its icon, which Keycloak 26.5
# names by its theme property (kcAuthenticatorOTPClass) and 26.7 by the property's value (fa-mobile)
CHOICE = re.compile(r'name="authenticationExecution" value="([^"]+)".*?'
                    r'(?:kcAuthenticator(\w+)Class|fa fa-(mobile|key)\b)', re.S)
ICONS = {"mobile": "OTP", "key": "WebAuthn"}


def _param(page: Page, name: str) -> str:
    """A value Keycloak's page hands its WebAuthn script (``name : 'value'``)."""
    found = re.search(rf"\b{name}\s*:\s*[\"']([^\"']*)[\"']", page.text)
    assert found, f"no {name} on {page.url}:\n{shown(page)[:1500]}"
    return found.group(1)


def _key_for(target: Target, page: Page) -> SecurityKey:
    """A new key for the relying party the page names (Keycloak's host when the policy sets none)."""
    return SecurityKey(origin=target.url, rp_id=_param(page, "rpId") or str(urlparse(target.url).hostname))


def _choose_the_key(browser: Browser, page: Page) -> Page:
    """From the one-time code page: "try another way", then the security key."""
    page = browser.submit(page, page.form(id=ANOTHER_WAY_FORM))
    choices = {kind or ICONS.get(icon, icon): execution for execution, kind, icon in CHOICE.findall(page.text)}
    assert set(choices) == {"OTP", "WebAuthn"}, shown(page)[:1500]
    form = next(f for f in page.forms if f.fields.get("authenticationExecution") == choices["WebAuthn"])
    return browser.submit(page, form)


@pytest.fixture
def people(admin: Admin) -> Iterator[dict[str, Person]]:
    made = {"administrator asked to add a key": make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True,
                                                            required_actions=("webauthn-register",)),
            "administrator without a second factor": make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=False)}
    yield made
    for person in made.values():
        admin.delete(f"/{REALM}/users/{person.user_id}")


def test_an_administrator_without_a_second_factor_sets_up_the_app_first(
        target: Target, people: dict[str, Person]) -> None:
    person = people["administrator without a second factor"]
    page = sign_in(Browser(str(target.ca_bundle)), target, REALM, person.username, person.password)
    assert not is_signed_in(page, target, REALM)
    page.form(id=OTP_SETUP_FORM)  # Keycloak's "set up your authenticator app" page, nothing else


def test_an_administrator_registers_a_security_key_and_signs_in_with_it(
        target: Target, admin: Admin, people: dict[str, Person]) -> None:
    person = people["administrator asked to add a key"]
    assert person.otp_key is not None
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, REALM, person.username, person.password)
    page = browser.submit(page, page.form(id=OTP_FORM), otp=totp(person.otp_key))
    key = _key_for(target, page)
    page = browser.submit(page, page.form(id=REGISTER_FORM), **key.register(_param(page, "challenge")))
    assert is_signed_in(page, target, REALM), shown(page)[:1500]
    credentials = [c["type"] for c in admin.get(f"/{REALM}/users/{person.user_id}/credentials")]
    assert sorted(credentials) == ["otp", "password", "webauthn"]

    # next time: the code first (the credential enrolled first), the key on "try another way"; the
    # password alone is not enough, and another key's signature is refused
    browser = Browser(str(target.ca_bundle))
    page = _choose_the_key(browser, sign_in(browser, target, REALM, person.username, person.password))
    assert not is_signed_in(page, target, REALM)
    stranger = SecurityKey(origin=target.url, rp_id=key.rp_id, credential_id=key.credential_id)
    refused = browser.submit(page, page.form(id=KEY_FORM), **stranger.sign_in(_param(page, "challenge")))
    assert not is_signed_in(refused, target, REALM)
    assert 'data-page-id="login-webauthn-error"' in refused.text  # Keycloak's "security key failed" page

    browser = Browser(str(target.ca_bundle))
    page = _choose_the_key(browser, sign_in(browser, target, REALM, person.username, person.password))
    page = browser.submit(page, page.form(id=KEY_FORM), **key.sign_in(_param(page, "challenge")))
    assert is_signed_in(page, target, REALM), shown(page)[:1500]
