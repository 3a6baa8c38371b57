"""A minimal browser over HTTP: follows redirects, reads forms and links, submits them.

It does what a person's browser does on Keycloak's pages (no JavaScript: SAML POST-binding pages
carry a plain form that a browser without scripts submits by hand), so the flows are the real ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import requests

TIMEOUT_S = 30
# a connection closed during its TLS handshake: sent again after each pause, then the error stands
HANDSHAKE_BACKOFF_S = (0.1, 0.3, 1.0)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), attrs=a))
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type") not in ("submit", "button", "checkbox") or "value" in a:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "a" and "href" in a:
            self.links.append(a)


class Page:
    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.url = response.url
        self.status = response.status_code
        self.text = response.text
        parser = _PageParser()
        parser.feed(self.text)
        self.forms, self.links = parser.forms, parser.links

    def form(self, **attrs: str) -> Form:
        for form in self.forms:
            if all(form.attrs.get(k) == v for k, v in attrs.items()):
                return form
        raise AssertionError(f"no form with {attrs} on {self.url} (status {self.status}):\n{self.text[:1500]}")

    def link(self, contains: str) -> str:
        for link in self.links:
            if contains in link["href"]:
                return urljoin(self.url, link["href"])
        raise AssertionError(f"no link containing {contains!r} on {self.url}:\n{self.text[:1500]}")


class Browser:
    """One user's browser: a cookie jar that trusts the deployment's CA (verification stays on).

    With ``retry_closed_handshakes``, a request whose connection the server closed during the TLS
    handshake (nothing was sent yet) is sent again, as a person reloading would: after each pause
    of ``HANDSHAKE_BACKOFF_S``, each counted in ``handshake_retries``
    (Keycloak swapping its certificate closes new handshakes for a moment, longer on a loaded
    machine than one immediate retry covers)."""

    def __init__(self, ca_bundle: str, retry_closed_handshakes: bool = False) -> None:
        self.session = requests.Session()
        # passed on every call: a session-level setting loses to REQUESTS_CA_BUNDLE in requests
        self.ca_bundle = ca_bundle
        self.retry_closed_handshakes = retry_closed_handshakes
        self.handshake_retries = 0

    def _send(self, method: str, url: str, **kwargs: Any) -> Page:
        for backoff in (*HANDSHAKE_BACKOFF_S, None):
            try:
                return Page(self.session.request(method, url, timeout=TIMEOUT_S, verify=self.ca_bundle, **kwargs))
            except requests.exceptions.SSLError as err:  # raised while connecting, before the request is sent
                if not self.retry_closed_handshakes or "EOF" not in str(err) or backoff is None:
                    raise
                self.handshake_retries += 1
                time.sleep(backoff)
        raise AssertionError("unreachable")

    def get(self, url: str) -> Page:
        return self._send("GET", url)

    def post(self, url: str, data: dict[str, str]) -> Page:
        return self._send("POST", url, data=data)

    def submit(self, page: Page, form: Form, **values: str) -> Page:
        data = {**form.fields, **values}
        action = urljoin(page.url, form.action)
        if form.method == "post":
            return self._send("POST", action, data=data)
        return self._send("GET", action, params=data)
