"""The offline verifier page (``trustcircle attest page``) in a real browser with the network cut:
for every case the Python verifier is tested with (tests/test_attestations.py, the same issuer,
wallet and lists), the page, driven as a verifier uses it (tick, ask, paste, verify), decides as
:func:`trustcircle.attestations.verify.verify_presentation` does, with the same reason codes, and
never makes a connection."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jwcrypto import jwk

from conformance.wallet import Wallet
from tests import test_attestations as ta
from tests.html import chromium
from trustcircle.attestations import page
from trustcircle.attestations import status_list as sl
from trustcircle.attestations import trust_list as tl
from trustcircle.attestations.verify import ENVELOPE, cached, verify_presentation

if TYPE_CHECKING:  # Playwright is imported by the browser fixture
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def script() -> str:
    """The bundled script, as ``./run test`` builds it (tc_setup_web); without it the test is
    skipped, and fails in CI."""
    found = os.environ.get(page.SCRIPT_ENV)
    if not found or not Path(found).is_file():
        message = "the offline verifier's script is not built: run through ./run test (tc_setup_web)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(found).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium.driven() as driven:
        yield driven


@pytest.fixture(autouse=True)
def _now() -> None:
    ta.NOW = int(time.time())  # the helpers' clock: the time of this test


class Offline:
    """The page, written for one cache, open in a browser context that has no network: every
    request it tries is recorded (and fails)."""

    def __init__(self, browser: Browser, script: str, folder: Path, trust: str, statuses: dict[str, str]) -> None:
        cache = {"verifier": ta.VERIFIER, "federation_key": ta.FEDERATION_KEY.export_public(as_dict=True),
                 "trust_list": trust, "status_lists": statuses, "cached_at": ta.NOW}
        self.file = folder / "verifier.html"
        self.file.write_text(page.render(cache, script), encoding="utf-8")
        self.context = browser.new_context()
        self.context.set_offline(True)
        self.requests: list[str] = []
        self.page: Page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url) if not r.url.startswith("file:") else None)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.file.as_uri())
        self.page.wait_for_function("document.getElementById('ready').textContent !== 'loading'", timeout=TIMEOUT_MS)

    @property
    def state(self) -> str:
        return str(self.page.text_content("#ready"))

    def ask(self, claims: tuple[str, ...]) -> str:
        for claim in claims:
            self.page.check(f"input[name=ask][value='{claim}']")
        self.page.click("#ask")
        return str(self.page.text_content("#nonce"))

    def verify(self, presentation: str) -> dict[str, Any]:
        self.page.fill("#presentation", presentation)
        self.page.click("#verify")
        self.page.wait_for_selector("#decision:not([hidden])", timeout=TIMEOUT_MS)
        decision: dict[str, Any] = json.loads(str(self.page.text_content("#decision-json")))
        self.page.evaluate("document.getElementById('decision').hidden = true")
        return decision

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(browser: Browser, script: str, tmp_path: Path) -> Iterator[Callable[..., Offline]]:
    opened: list[Offline] = []

    def open_page(trust: str | None = None, statuses: dict[str, str] | None = None) -> Offline:
        one = Offline(browser, script, tmp_path, trust or ta.trust_list(),
                      {ta.STATUS_URI: ta.status_token()} if statuses is None else statuses)
        opened.append(one)
        return one

    yield open_page
    for one in opened:
        assert one.errors == [], one.errors
        assert one.requests == [], f"the page tried to connect: {one.requests}"
        one.close()


def python_decision(presentation: str, nonce: str, requested: tuple[str, ...], trust: str | None = None,
                    statuses: dict[str, str] | None = None) -> dict[str, Any]:
    now = int(time.time())
    held = tl.verify(trust or ta.trust_list(), ta.FEDERATION_KEY, now)
    copies = {ta.STATUS_URI: ta.status_token()} if statuses is None else statuses
    return verify_presentation(presentation, held, cached(copies), ta.VERIFIER, nonce, requested, now).as_dict()


def same(page_decision: dict[str, Any], python: dict[str, Any]) -> list[str]:
    """The reason codes both gave (asserted equal), sorted."""
    codes = sorted(r["code"] for r in page_decision["reasons"])
    assert codes == sorted(r["code"] for r in python["reasons"]), (page_decision, python)
    assert page_decision["accepted"] == python["accepted"]
    return codes


def forged(presentation: str) -> str:
    jwt, rest = presentation.split("~", 1)
    header, payload, signature = jwt.split(".")
    claims = json.loads(sl.unb64url(payload))
    claims["organisation"] = "cpam69"
    return ".".join((header, sl.b64url(json.dumps(claims).encode()), signature)) + "~" + rest


def altered_disclosure(presentation: str) -> str:
    jwt, disclosure, kb = presentation.split("~")
    salt, name, _value = json.loads(sl.unb64url(disclosure))
    return f"{jwt}~{sl.b64url(json.dumps([salt, name, False]).encode())}~{kb}"


def test_an_attestation_is_accepted_offline_and_the_page_shows_only_what_was_asked(
        offline: Callable[..., Offline]) -> None:
    wallet = Wallet()
    ta.issue(wallet)
    verifier = offline()
    assert verifier.state == "ready"
    assert "Trust list number 7" in str(verifier.page.text_content("#trust-state"))
    nonce = verifier.ask(("rsa",))
    presentation = wallet.present(("rsa", "given_name", "adresse"), nonce, ta.VERIFIER)  # the wallet shows more
    decision = verifier.verify(presentation)
    assert decision["accepted"], decision
    assert set(decision["claims"]) - set(ENVELOPE) == {"rsa"}
    assert decision == python_decision(presentation, nonce, ("rsa",))
    shown = str(verifier.page.text_content("#decision"))
    assert "Accepted" in shown and "Camille" not in shown and "adresse" not in shown


def test_a_nonce_serves_once_so_a_presentation_sent_again_is_refused(offline: Callable[..., Offline]) -> None:
    wallet = Wallet()
    ta.issue(wallet)
    verifier = offline()
    presentation = wallet.present(("rsa",), verifier.ask(("rsa",)), ta.VERIFIER)
    assert verifier.verify(presentation)["accepted"]
    verifier.ask(())
    again = verifier.verify(presentation)
    assert [r["code"] for r in again["reasons"]] == ["replayed"]


# each case: how the credential is issued, how the presentation is altered, the lists the page holds
def _signed_by_another_key(wallet: Wallet) -> None:
    ta.issue(wallet, signer=ta.key("issuer-1"))


CASES: dict[str, tuple[Callable[[Wallet], Any], Callable[[str, str], str], Callable[[], dict[str, str]] | None,
                       list[str]]] = {
    "tampered": (ta.issue, lambda p, _n: forged(p), None, ["tampered"]),
    "another key with the issuer's kid": (_signed_by_another_key, lambda p, _n: p, None, ["tampered"]),
    "unknown issuer": (lambda w: ta.issue(w, iss="https://127.0.0.1:8443/realms/elsewhere"), lambda p, _n: p, None,
                       ["unknown-issuer"]),
    "expired": (lambda w: ta.issue(w, expires=ta.NOW - 1), lambda p, _n: p, None, ["expired"]),
    "revoked": (ta.issue, lambda p, _n: p, lambda: {ta.STATUS_URI: ta.status_token({5: sl.INVALID})}, ["revoked"]),
    "suspended": (ta.issue, lambda p, _n: p, lambda: {ta.STATUS_URI: ta.status_token({5: sl.SUSPENDED})},
                  ["suspended"]),
    "status list too old": (ta.issue, lambda p, _n: p,
                            lambda: {ta.STATUS_URI: ta.status_token(issued_at=ta.NOW - 90_000)}, ["status-too-old"]),
    "status list older than the credential": (ta.issue, lambda p, _n: p,
                                              lambda: {ta.STATUS_URI: ta.status_token(issued_at=ta.NOW - 120)},
                                              ["status-too-old"]),
    "no copy of the status list": (ta.issue, lambda p, _n: p, lambda: {}, ["status-unavailable"]),
    "status list signed by someone else": (ta.issue, lambda p, _n: p,
                                           lambda: {ta.STATUS_URI: ta.status_token(signer=ta.STRANGER_KEY)},
                                           ["status-unavailable"]),
    "status list over plain http": (
        lambda w: ta.issue(w, uri="http://127.0.0.1:8080/realms/cnaf/trustcircle-attestations/status/1"),
        lambda p, _n: p, None, ["status-over-http"]),
    "a disclosure altered": (ta.issue, lambda p, _n: altered_disclosure(p), None, ["disclosure-mismatch"]),
    "several faults": (lambda w: ta.issue(w, expires=ta.NOW - 1), lambda p, _n: p,
                       lambda: {ta.STATUS_URI: ta.status_token({5: sl.INVALID})}, ["expired", "revoked"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_page_refuses_as_the_python_verifier_does(offline: Callable[..., Offline], case: str) -> None:
    issue, alter, statuses, expected = CASES[case]
    wallet = Wallet()
    issue(wallet)
    held = statuses() if statuses else None
    verifier = offline(statuses=held)
    nonce = verifier.ask(("rsa",))
    presentation = alter(wallet.present(("rsa",), nonce, ta.VERIFIER), nonce)
    assert same(verifier.verify(presentation), python_decision(presentation, nonce, ("rsa",), statuses=held)) \
        == expected


@pytest.mark.parametrize(("case", "expected"), [
    ("another holder key", ["wrong-holder-key"]), ("another verifier", ["wrong-audience"]),
    ("an old nonce", ["replayed"]), ("rsa not disclosed", ["not-disclosed"])])
def test_the_holders_proof_is_checked_as_the_python_verifier_does(offline: Callable[..., Offline], case: str,
                                                                   expected: list[str]) -> None:
    wallet = Wallet()
    ta.issue(wallet)
    verifier = offline()
    nonce = verifier.ask(("rsa",))
    presentation = {
        "another holder key": lambda: wallet.present(("rsa",), nonce, ta.VERIFIER, key=ta.key("thief")),
        "another verifier": lambda: wallet.present(("rsa",), nonce, "someone-else"),
        "an old nonce": lambda: wallet.present(("rsa",), "n-0001", ta.VERIFIER),
        "rsa not disclosed": lambda: wallet.present(("prime-activite",), nonce, ta.VERIFIER),
    }[case]()
    assert same(verifier.verify(presentation), python_decision(presentation, nonce, ("rsa",))) == expected


def test_a_trust_list_too_old_or_signed_by_someone_else_leaves_the_page_unusable(
        offline: Callable[..., Offline]) -> None:
    for trust, why in ((ta.trust_list(issued_at=ta.NOW - 8 * 86_400), "old; the rules allow"),
                       (ta.trust_list(signer=ta.STRANGER_KEY), "not signed by the federation")):
        verifier = offline(trust=trust)
        assert verifier.state == "unusable"
        assert why in str(verifier.page.text_content("#trust-state"))
        assert verifier.page.is_disabled("#verify")


def test_the_page_cannot_connect_anywhere_even_when_the_network_is_up(browser: Browser, script: str,
                                                                      tmp_path: Path) -> None:
    """Its Content-Security-Policy forbids every connection: a script in it that tries to fetch is
    stopped by the browser before any request leaves."""
    cache = {"verifier": ta.VERIFIER, "federation_key": ta.FEDERATION_KEY.export_public(as_dict=True),
             "trust_list": ta.trust_list(), "status_lists": {}, "cached_at": ta.NOW}
    file = tmp_path / "verifier.html"
    file.write_text(page.render(cache, script), encoding="utf-8")
    context = browser.new_context()
    try:
        tab = context.new_page()
        sent: list[str] = []
        tab.on("request", lambda r: sent.append(r.url) if not r.url.startswith("file:") else None)
        tab.goto(file.as_uri())
        outcome = tab.evaluate("""async () => {
            const blocked = new Promise(r => document.addEventListener('securitypolicyviolation',
                e => r(e.violatedDirective), {once: true}));
            // without the policy the request leaves (and fails on the closed port): no violation comes
            const none = new Promise(r => setTimeout(() => r('no policy violation'), 3000));
            try { await fetch('https://127.0.0.1:9/'); return 'fetched'; }
            catch (e) { return 'refused: ' + await Promise.race([blocked, none]); }
        }""")
        assert outcome == "refused: connect-src", outcome
        assert sent == []
    finally:
        context.close()


def test_the_page_is_written_from_a_verifiers_cache_and_never_holds_a_private_key(tmp_path: Path) -> None:
    from trustcircle.attestations.commands import status_file

    (tmp_path / "trust-list.jwt").write_text(ta.trust_list() + "\n")
    (tmp_path / "federation-key.json").write_text(ta.FEDERATION_KEY.export_public())
    status_file(tmp_path, ta.STATUS_URI).parent.mkdir(parents=True)
    status_file(tmp_path, ta.STATUS_URI).write_text(ta.status_token() + "\n")
    cache = page.from_cache(tmp_path, ta.VERIFIER)
    assert list(cache["status_lists"]) == [ta.STATUS_URI] and cache["federation_key"].get("d") is None
    html = page.render(cache, "console.log(1)")
    assert '"d":' not in html and "connect-src 'none'" in html
    with pytest.raises(Exception, match="not a public JWK"):
        page.from_cache(tmp_path, ta.VERIFIER, json.loads(ta.FEDERATION_KEY.export_private()))
    assert isinstance(jwk.JWK(**cache["federation_key"]), jwk.JWK)
