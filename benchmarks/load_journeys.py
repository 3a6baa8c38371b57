"""The journeys ``./run bench-load`` repeats, each the real one, built from the conformance suite's
code (no shortcut through the protocols):

- :class:`FederatedLogin`: the e-service's signed AuthnRequest (HTTP-Redirect), the provider
  realm, the agent's organisation picked, the provider's signed AuthnRequest to the organisation's
  realm, the password there, the organisation's signed response with its encrypted assertion back
  to the provider, the post-broker flow, the provider's signed, encrypted assertion to the
  e-service, checked by pysaml2 (signature, decryption, audience, InResponseTo, validity);
- :class:`PasswordLogin`: Keycloak's own path, the baseline: an OpenID Connect authorization-code
  sign-in with PKCE to a client of one realm (the account console of the agent's realm), the
  password, and the code exchanged for tokens;
- :class:`ClientCredentials`: an application's client-credentials grant over mutual TLS (a new
  TLS connection each time, its certificate presented in the handshake), the token checked to be
  bound to that certificate.

Each journey notes how long each browser step took (:class:`Steps`), which says where a
federated login's time goes, realm by realm.
"""

from __future__ import annotations

import base64
import hashlib
import json
import queue
import re
import secrets
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import requests

from benchmarks.load_agents import AgentPool
from conformance.agents import Agent
from conformance.browser import Browser, Form, Page
from conformance.flows import brokered_login, saml_response_of
from conformance.home import LOGIN_FORM
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle import ids
from trustcircle.model.schema import SamlService
from trustcircle.target import Target

TIMEOUT_S = 30
REALM_PATH = re.compile(r"^/realms/([^/]+)/(.*)$")
SP_REQUEST = "e-service: signed AuthnRequest"
SP_CHECKS = "e-service: response checked (signature, decryption, pysaml2)"


def step_of(method: str, url: str) -> str:
    """A request named by what it does: method, realm and endpoint, without query or ids."""
    path = urlsplit(url).path
    found = REALM_PATH.match(path)
    return f"{method} {found.group(1)}: {found.group(2)}" if found else f"{method} {path}"


@dataclass
class Steps:
    """How long each step took, over the journeys that succeeded."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, steps: list[tuple[str, float]]) -> None:
        with self._lock:
            for name, spent in steps:
                self.seconds[name].append(spent)


class TimedBrowser(Browser):
    """A browser that notes each request's step and time (redirects it follows count in it)."""

    def __init__(self, ca_bundle: str) -> None:
        super().__init__(ca_bundle)
        self.steps: list[tuple[str, float]] = []

    def _send(self, method: str, url: str, **kwargs: Any) -> Page:
        started = time.perf_counter()
        try:
            return super()._send(method, url, **kwargs)
        finally:
            self.steps.append((step_of(method, url), time.perf_counter() - started))

    def submit_once(self, page: Page, form: Form, **values: str) -> Page:
        """Post a form without following the answer's redirect (to read where it sends the browser)."""
        return self._send("POST", urljoin(page.url, form.action), data={**form.fields, **values},
                          allow_redirects=False)


@contextmanager
def _timed(steps: list[tuple[str, float]], name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    steps.append((name, time.perf_counter() - started))


@dataclass
class FederatedLogin:
    """An agent of ``idp_alias`` reaching ``service`` through the provider (see the module's docstring)."""

    target: Target
    service: SamlService
    idp_alias: str
    agents: AgentPool[Agent]
    steps: Steps = field(default_factory=Steps)
    _idle: queue.SimpleQueue[ServiceProvider] = field(default_factory=queue.SimpleQueue)

    @contextmanager
    def _sp(self) -> Iterator[ServiceProvider]:
        """The e-service, as one process serves many agents: an instance per journey at once, kept
        between journeys (each reads its IdP's metadata once)."""
        try:
            sp = self._idle.get_nowait()
        except queue.Empty:
            sp = for_service(self.target, self.service)
        try:
            yield sp
        finally:
            self._idle.put(sp)

    def prepare(self, journeys_at_once: int) -> FederatedLogin:
        """As many e-service instances ready as journeys will run at once (none made while measuring)."""
        made = [for_service(self.target, self.service) for _ in range(journeys_at_once - self._idle.qsize())]
        for sp in made:
            self._idle.put(sp)
        return self

    def __call__(self) -> None:
        spent: list[tuple[str, float]] = []
        browser = TimedBrowser(str(self.target.ca_bundle))
        with self._sp() as sp:
            with self.agents.take() as agent:
                with _timed(spent, SP_REQUEST):
                    start = sp.login_url()
                page = brokered_login(browser, start, self.idp_alias, agent)
            response = saml_response_of(page, str(self.service.acs_url))
            with _timed(spent, SP_CHECKS):
                assertion = sp.accept(response)
        if not assertion.attributes.get(ids.HABILITATION_ATTRIBUTE):
            raise AssertionError(f"no {ids.HABILITATION_ATTRIBUTE} in the assertion: {sorted(assertion.attributes)}")
        self.steps.add(browser.steps + spent)


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


@dataclass
class PasswordLogin:
    """An agent signing in to the account console of their own realm (see the module's docstring)."""

    target: Target
    agents: AgentPool[Agent]
    client_id: str = "account-console"
    steps: Steps = field(default_factory=Steps)

    def __call__(self) -> None:
        browser = TimedBrowser(str(self.target.ca_bundle))
        with self.agents.take() as agent:
            oidc = f"{self.target.url}/realms/{agent.realm}/protocol/openid-connect"
            redirect_uri, (verifier, challenge) = f"{self.target.url}/realms/{agent.realm}/account/", _pkce()
            page = browser.get(f"{oidc}/auth?" + urlencode({
                "client_id": self.client_id, "response_type": "code", "scope": "openid", "redirect_uri": redirect_uri,
                "state": secrets.token_hex(8), "code_challenge": challenge, "code_challenge_method": "S256"}))
            answer = browser.submit_once(page, page.form(id=LOGIN_FORM), username=agent.username,
                                         password=agent.password)
        location = answer.response.headers.get("Location", "")
        code = parse_qs(urlsplit(location).query).get("code")
        if answer.status != 302 or not location.startswith(redirect_uri) or not code:
            raise AssertionError(f"no code after the password (status {answer.status}): {answer.text[:500]}")
        tokens = browser.post(f"{oidc}/token", {"grant_type": "authorization_code", "client_id": self.client_id,
                                                "code": code[0], "redirect_uri": redirect_uri,
                                                "code_verifier": verifier})
        if tokens.status != 200 or "access_token" not in tokens.text:
            raise AssertionError(f"token endpoint answered {tokens.status}: {tokens.text[:300]}")
        self.steps.add(browser.steps)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@dataclass
class ClientCredentials:
    """An application's client-credentials grant over mutual TLS (see the module's docstring)."""

    target: Target
    provider_realm: str
    client_id: str
    scopes: list[str]
    certificate: tuple[str, str]  # chain, key (files)
    thumbprint: str  # base64url SHA-256 of the certificate: the token's cnf.x5t#S256
    steps: Steps = field(default_factory=Steps)

    def __call__(self) -> None:
        started = time.perf_counter()
        with requests.Session() as session:  # a new TLS connection: the handshake is part of the grant
            answer = session.post(f"{self.target.url}/realms/{self.provider_realm}/protocol/openid-connect/token",
                                  data={"grant_type": "client_credentials", "client_id": self.client_id,
                                        "scope": " ".join(self.scopes)},
                                  cert=self.certificate, verify=str(self.target.ca_bundle), timeout=TIMEOUT_S)
        if answer.status_code != 200:
            raise AssertionError(f"token endpoint answered {answer.status_code}: {answer.text[:300]}")
        bound = _claims(answer.json()["access_token"]).get("cnf", {}).get("x5t#S256")
        if bound != self.thumbprint:
            raise AssertionError(f"the token is not bound to the certificate (cnf.x5t#S256 {bound!r})")
        self.steps.add([(f"POST {self.provider_realm}: protocol/openid-connect/token (mTLS)",
                         time.perf_counter() - started)])
