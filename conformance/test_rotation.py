"""Key and certificate rotation without an outage (docs/rotation.md).

While a bounded loop of brokered SAML sign-ins runs (a cd33 agent into CDAP through cnaf), every
realm's keys rotate (``rotate keys start``, the links refreshed, ``finish``) and the server's
certificate and an application's client certificate are renewed (``rotate certificates``): not one
sign-in fails, and two sign-ins held halfway across the start (an AuthnRequest signed with the
provider's old key, a response signed and encrypted with the old keys) complete. Afterwards the new
keys sign, and neither path of ``realms/`` sees a change. A second start while one is in progress is
refused and changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.logins import EService, LoginLoop, hold, why
from conformance.saml_sp import for_service
from trustcircle.compiler.services import application_client_id
from trustcircle.keycloak.admin import Admin
from trustcircle.local.server import LocalKeycloak
from trustcircle.model.schema import Federation, SamlService
from trustcircle.pipeline import local_target_path
from trustcircle.rotation import keys as realm_keys
from trustcircle.rotation.keys import ENCRYPTION, SIGNING
from trustcircle.rotation.links import published
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

pytestmark = pytest.mark.destructive  # every realm's keys change (the suite does not own them)
MAX_LOGINS, MAX_S = 400, 420  # the loop's bounds, whichever comes first
LOOP_AGENTS = 3  # taken in turn: one agent signing in again within a second is a brute-force suspect
TIMEOUT_S = 600
RELOAD_WAIT_S = 100  # Keycloak re-reads its certificate files every minute


def trustcircle(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trustcircle", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT_S, check=False)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _providers(admin: Admin, realms: list[str]) -> dict[str, Any]:
    """Every key provider of ``realms`` as the admin API gives it: what "nothing changed" compares."""
    found = {}
    for realm in realms:
        realm_id = admin.get(f"/{realm}")["id"]
        found[realm] = sorted(admin.get(f"/{realm}/components?parent={realm_id}&type={realm_keys.KEY_PROVIDER}"),
                              key=lambda c: str(c["id"]))
    return found


def _served_serial(target: Target) -> int:
    url = urlsplit(target.url)
    pem = ssl.get_server_certificate((str(url.hostname), url.port or 443), ca_certs=str(target.ca_bundle), timeout=10)
    return int(x509.load_pem_x509_certificate(pem.encode()).serial_number)


def _metadata(target: Target, realm: str) -> dict[str, list[str]]:
    answer = requests.get(f"{target.url}/realms/{realm}/protocol/saml/descriptor", verify=str(target.ca_bundle),
                          timeout=30)
    answer.raise_for_status()
    return published(answer.text)


@pytest.fixture
def realms(admin: Admin, federation: Federation) -> Iterator[list[str]]:
    """The federation's realms, with no rotation in progress before, and none left after."""
    names = sorted({p.realm for p in federation.providers} | {o.realm for o in federation.organisations if o.realm})
    stuck = [r for r in names if realm_keys.read(admin, r).rotation]
    assert not stuck, f"a rotation is in progress in {stuck}: ./run rotate keys finish (or rollback) first"
    yield names
    for realm in names:  # a test stopped halfway: the old keys back, then the new ones gone
        state = realm_keys.read(admin, realm)
        if state.rotation and state.made:
            trustcircle("rotate", "keys", "rollback", "--realm", realm)
        if state.rotation:
            trustcircle("rotate", "keys", "finish", "--no-wait", "--realm", realm)


@pytest.fixture
def service(target: Target, cdap: SamlService) -> Callable[[], EService]:
    return lambda: EService(lambda: for_service(target, cdap), str(cdap.acs_url))


@pytest.fixture
def loop(target: Target, service: Callable[[], EService], make_agent: Callable[..., Agent]) -> Iterator[LoginLoop]:
    """The sign-in loop, running; stopped however the test ends."""
    agents = [make_agent("cd33", "instructeurs-rsa") for _ in range(LOOP_AGENTS)]
    running = LoginLoop(service(), str(target.ca_bundle), "cd33", agents, MAX_LOGINS, MAX_S).start()
    running.wait_for(3)
    yield running
    running.stop()
    print(f"\nthe sign-in loop: {running.attempts} sign-ins, {len(running.failures)} failed, "
          f"{running.service.refreshes} metadata re-reads by the e-service, "
          f"{running.handshake_retries} requests sent again after a closed TLS handshake")


def _target_file() -> tuple[Path, bool]:
    """The target's description file, and whether it is the local federation (its CA is ours)."""
    path = Path(os.environ.get("TRUSTCIRCLE_TARGET") or local_target_path())
    return path, path.resolve() == local_target_path().resolve()


def test_keys_and_certificates_rotate_while_agents_keep_signing_in(
        target: Target, admin: Admin, realms: list[str], service: Callable[[], EService], loop: LoginLoop,
        make_agent: Callable[..., Agent]) -> None:
    before = {r: realm_keys.read(admin, r) for r in realms}
    target_file, local = _target_file()
    held_failures = _start_across_held_logins(target, service(), make_agent("cd33", "instructeurs-rsa"), realms)
    assert held_failures == [], "\n".join(held_failures)
    loop.wait_for(5)
    if local:
        _renew_certificates(target, loop)
    assert "in progress" in _ok(trustcircle("rotate", "keys", "status"))
    too_early = trustcircle("rotate", "keys", "finish")
    assert too_early.returncode == 1 and "too early" in too_early.stderr, too_early.stderr
    assert "removed" in _ok(trustcircle("rotate", "keys", "finish", "--no-wait"))
    loop.wait_for(5)
    loop.stop()

    assert loop.failures == [], "\n".join(loop.failures)
    assert loop.attempts >= 15, f"the loop ran only {loop.attempts} sign-ins"
    after = {r: realm_keys.read(admin, r) for r in realms}
    for realm in realms:
        old, new = before[realm].current(SIGNING)[0].kid, after[realm].current(SIGNING)[0].kid
        assert new != old and _metadata(target, realm)["signing"] == [new], realm  # only the new key, published
        assert [p.kid for p in after[realm].of(ENCRYPTION)] != [p.kid for p in before[realm].of(ENCRYPTION)]
        assert not after[realm].retiring and not after[realm].stray_passive()
    assert loop.kids[-1] == after["cnaf"].current(SIGNING)[0].kid  # the last sign-in's response: the new key
    _neither_path_sees_a_change(target_file, local)



def _start_across_held_logins(target: Target, service: EService, agent: Agent, realms: list[str]) -> list[str]:
    """``rotate keys start`` while two sign-ins wait halfway, signed (and encrypted) with the old keys;
    they complete after it. What failed, if anything."""
    held = [hold(Browser(str(target.ca_bundle), retry_closed_handshakes=True), service, "cd33", agent, stage)
            for stage in ("request", "response")]
    started = _ok(trustcircle("rotate", "keys", "start"))
    assert re.search(rf"rotation \S+ started in {len(realms)} realm\(s\)", started), started
    assert "SAML e-service 'urn:trustcircle:sp:cdap'" in started  # what outside parties must do is said
    failures = []
    for login in held:
        try:
            assert login.complete(service).issuer == f"{target.url}/realms/cnaf"
        except Exception as err:  # reported with the loop's
            failures.append(f"held at the {login.stage}: {type(err).__name__}: {why(err)}")
    return failures


def _renew_certificates(target: Target, loop: LoginLoop) -> None:
    """The local CA's certificates renewed (the server's, an application's), the CA kept; Keycloak
    serves the new one within its reload period, not restarted; the application gets a token."""
    server = LocalKeycloak()
    pid, serial = server.status()["pid"], _served_serial(target)
    issued = json.loads(_ok(trustcircle("local", "certificate", "gestion-rsa", "--application", "cd33")))
    old_app = x509.load_pem_x509_certificate(Path(issued["certificate"]).read_bytes())
    assert "Keycloak" in _ok(trustcircle("rotate", "certificates"))
    deadline = time.monotonic() + RELOAD_WAIT_S
    while _served_serial(target) == serial and time.monotonic() < deadline:
        loop.wait_for(1, timeout_s=5)
    assert _served_serial(target) != serial, f"Keycloak still serves the old certificate after {RELOAD_WAIT_S} s"
    assert server.status()["pid"] == pid  # no restart
    _renewed_application_gets_a_token(target, issued, old_app)


def _neither_path_sees_a_change(target_file: Path, local: bool) -> None:
    """The key providers are nobody's but the rotation's: ``trustcircle apply`` and ``pulumi up``
    (refreshed from Keycloak) find nothing to do."""
    assert json.loads(_ok(trustcircle("apply", "--check", "--json", "--target", str(target_file)))) == []
    if local:
        preview = subprocess.run(["pulumi", "preview", "--refresh", "--expect-no-changes", "--stack", "local",
                                  "--non-interactive"],
                                 cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-2000:]


def _renewed_application_gets_a_token(target: Target, issued: dict[str, str], old: x509.Certificate) -> None:
    """The application's renewed certificate: same subject, new serial, same CA; a token bound to it."""
    chain = Path(issued["certificate"]).read_bytes()
    new = x509.load_pem_x509_certificate(chain)
    assert new.subject == old.subject and new.serial_number != old.serial_number and new.issuer == old.issuer
    answer = requests.post(f"{target.url}/realms/cnaf/protocol/openid-connect/token",
                           data={"grant_type": "client_credentials",
                                 "client_id": application_client_id("cd33", "gestion-rsa")},
                           cert=(issued["certificate"], issued["key"]), verify=str(target.ca_bundle), timeout=30)
    assert answer.status_code == 200, answer.text
    payload = answer.json()["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(new.public_bytes(Encoding.DER)).digest()).rstrip(b"=")
    assert claims["cnf"]["x5t#S256"] == thumbprint.decode()


def test_a_second_start_while_one_is_in_progress_is_refused_and_changes_nothing(
        admin: Admin, realms: list[str]) -> None:
    _ok(trustcircle("rotate", "keys", "start", "--realm", "caf75"))
    before = _providers(admin, realms)

    again = trustcircle("rotate", "keys", "start", "--realm", "caf75")
    everywhere = trustcircle("rotate", "keys", "start")  # caf75 among them: no realm is started

    for refused in (again, everywhere):
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "realm caf75: rotation" in refused.stderr and "still in progress" in refused.stderr, refused.stderr
        assert "./run rotate keys finish --realm caf75" in refused.stderr and "Nothing was changed" in refused.stderr
    assert _providers(admin, realms) == before
    rolled = _ok(trustcircle("rotate", "keys", "rollback", "--realm", "caf75"))
    assert "the previous keys sign again" in rolled
    _ok(trustcircle("rotate", "keys", "finish", "--no-wait", "--realm", "caf75"))
    assert not realm_keys.read(admin, "caf75").retiring
