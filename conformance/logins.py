"""Brokered SAML sign-ins kept going while the federation changes under them: a bounded loop in
the background that counts each sign-in's outcome, and sign-ins held halfway (a message signed or
encrypted with the keys of that moment, still in the browser) to be completed later.

One agent signing in again within a second counts as a brute-force attempt (Keycloak's quick-login
check: the account is then disabled for a minute), so the loop takes its agents in turn and never
signs one in again before ``SAME_AGENT_GAP_S``.

The e-service reads its IdP's metadata by URL, as a production SP does (and as Keycloak's own
links do): a response it cannot check with the certificates it read makes it read them again,
once; that counts as a refresh, not a failure. Everything else that goes wrong is a failure.
"""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.agents import Agent
from conformance.browser import Browser, Page
from conformance.flows import authn_request_to_home, saml_response_of
from conformance.saml_sp import Assertion, ServiceProvider

KEY_NAME = re.compile(r"<(?:\w+:)?KeyName>([^<]+)</(?:\w+:)?KeyName>")
FEEDBACK = re.compile(r'class="[^"]*(?:kc-feedback-text|input-error|alert-error)[^"]*"[^>]*>\s*([^<]+)', re.S)
SAME_AGENT_GAP_S = 1.5


def why(err: Exception) -> str:
    """What went wrong, short: Keycloak's message when the error carries its page."""
    text = str(err)
    found = FEEDBACK.search(text)
    title = re.search(r"<title>([^<]+)</title>", text)
    if found or title:
        return f"page {title.group(1).strip() if title else '?'!r}: {found.group(1).strip() if found else text[:200]}"
    # a long message keeps its end too: urllib3 puts the cause (the TLS alert, the reset) last
    return text if len(text) <= 500 else f"{text[:200]} … {text[-250:]}"


def signing_kid(saml_response: str) -> str | None:
    """The key name (Keycloak's kid) in the response's signature."""
    found = KEY_NAME.search(base64.b64decode(saml_response).decode())
    return found.group(1) if found else None


@dataclass
class EService:
    """CDAP as the loop plays it: one SP, its IdP metadata read again when a response needs it."""

    make: Callable[[], ServiceProvider]
    acs_url: str
    refreshes: int = 0
    sp: ServiceProvider = field(init=False)

    def __post_init__(self) -> None:
        self.sp = self.make()

    def accept(self, page: Page) -> tuple[Assertion, str | None]:
        response = saml_response_of(page, self.acs_url)
        try:
            return self.sp.accept(response), signing_kid(response)
        except Exception:  # any check failing: read the metadata again, once
            fresh = self.make()
            fresh.outstanding = self.sp.outstanding
            self.sp, self.refreshes = fresh, self.refreshes + 1
            return self.sp.accept(response), signing_kid(response)


@dataclass
class HeldLogin:
    """A sign-in stopped after ``stage``: ``request`` (the provider's signed AuthnRequest to the
    agent's home in the browser) or ``response`` (the home realm's signed, encrypted response to the
    provider in the browser)."""

    browser: Browser
    agent: Agent
    stage: str
    page: Page

    def complete(self, service: EService) -> Assertion:
        page = self.page
        if self.stage == "request":
            login = self.browser.submit(page, page.forms[0])
            assert login.status == 200, login.text[:500]
            page = self.browser.submit(login, login.form(id="kc-form-login"), username=self.agent.username,
                                       password=self.agent.password)
            assert page.forms and "SAMLResponse" in page.forms[0].fields, page.text[:1500]
        return service.accept(self.browser.submit(page, page.forms[0]))[0]


def hold(browser: Browser, service: EService, idp_alias: str, agent: Agent, stage: str) -> HeldLogin:
    """A sign-in in ``browser``, stopped after ``stage``."""
    page = authn_request_to_home(browser, service.sp.login_url(), idp_alias)
    if stage == "response":
        login = browser.submit(page, page.forms[0])
        page = browser.submit(login, login.form(id="kc-form-login"), username=agent.username, password=agent.password)
        assert page.forms and "SAMLResponse" in page.forms[0].fields, page.text[:1500]
    return HeldLogin(browser, agent, stage, page)


@dataclass
class LoginLoop:
    """Sign-ins one after the other in a background thread, until stopped, ``max_logins`` or ``max_s``."""

    service: EService
    ca_bundle: str
    idp_alias: str
    agents: list[Agent]
    max_logins: int
    max_s: float
    succeeded: int = 0
    handshake_retries: int = 0  # requests sent again after the server closed their TLS handshake
    failures: list[str] = field(default_factory=list)
    kids: list[str | None] = field(default_factory=list)
    # each sign-in as it ended: (time.time(), the agent's username, why it failed or None)
    outcomes: list[tuple[float, str, str | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def attempts(self) -> int:
        return self.succeeded + len(self.failures)

    def start(self) -> LoginLoop:
        self._thread = threading.Thread(target=self._run, name="login-loop", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_s
        last: dict[str, float] = {}
        while not self._stop.is_set() and self.attempts < self.max_logins and time.monotonic() < deadline:
            agent = self.agents[self.attempts % len(self.agents)]
            time.sleep(max(0.0, last.get(agent.username, 0.0) + SAME_AGENT_GAP_S - time.monotonic()))
            last[agent.username] = time.monotonic()
            browser = Browser(self.ca_bundle, retry_closed_handshakes=True)
            try:
                held = hold(browser, self.service, self.idp_alias, agent, "response")
                _, kid = self.service.accept(browser.submit(held.page, held.page.forms[0]))
                self.kids.append(kid)
                self.succeeded += 1
                self.outcomes.append((time.time(), agent.username, None))
            except Exception as err:  # every failed sign-in is counted, with why
                reason = f"{type(err).__name__}: {why(err)}"
                self.failures.append(f"{time.strftime('%H:%M:%S')} {agent.username}: {reason}")
                self.outcomes.append((time.time(), agent.username, reason))
            self.handshake_retries += browser.handshake_retries

    def wait_for(self, logins: int, timeout_s: float = 120) -> None:
        """Until ``logins`` more sign-ins were attempted (the loop is seen going)."""
        goal, deadline = self.attempts + logins, time.monotonic() + timeout_s
        while self.attempts < goal and time.monotonic() < deadline and self.running():
            time.sleep(0.2)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=120)
