"""An agent at home: signing in to their organisation's realm directly (its account console), the
way Keycloak's own pages show password rules, expiry and lockout to a person."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from urllib.parse import urlencode

from conformance.browser import Browser, Page
from trustcircle.target import Target

UPDATE_PASSWORD_FORM = "kc-passwd-update-form"
LOGIN_FORM = "kc-form-login"


def login_page(browser: Browser, target: Target, realm: str) -> Page:
    """The realm's sign-in page, reached as the account console reaches it (code flow with PKCE)."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": "account-console", "response_type": "code", "scope": "openid",
                       "redirect_uri": f"{target.url}/realms/{realm}/account/", "state": secrets.token_hex(8),
                       "code_challenge": challenge, "code_challenge_method": "S256"})
    page = browser.get(f"{target.url}/realms/{realm}/protocol/openid-connect/auth?{query}")
    assert page.status == 200, page.text[:500]
    return page


def sign_in(browser: Browser, target: Target, realm: str, username: str, password: str) -> Page:
    page = login_page(browser, target, realm)
    return browser.submit(page, page.form(id=LOGIN_FORM), username=username, password=password)


def choose_password(browser: Browser, page: Page, password: str) -> Page:
    """Fill Keycloak's "update password" form (temporary or expired password) with ``password``."""
    form = page.form(id=UPDATE_PASSWORD_FORM)
    return browser.submit(page, form, **{"password-new": password, "password-confirm": password})


def shown(page: Page) -> str:
    """The page's text as a person reads it (entities decoded)."""
    return html.unescape(page.text)


def is_signed_in(page: Page, target: Target, realm: str) -> bool:
    """The code flow ended at the account console's redirect URI with a code (no form left)."""
    return page.url.startswith(f"{target.url}/realms/{realm}/account/") and "code=" in page.url
