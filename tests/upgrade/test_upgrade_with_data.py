"""An upgrade of a live federation, with data: Keycloak KEYCLOAK_PREVIOUS_VERSION to KEYCLOAK_VERSION.

Run by ``./run test-upgrade`` (and by ``./run test``), never by the main pytest call: it needs the
ports of the local federation, the previous version's distribution and an extension built for it
(``scripts/upgrade-test.sh`` prepares them and passes them in the environment). The federation
lives in a state directory of its own (TRUSTCIRCLE_STATE, empty at start).

The scenario, in one test because each phase needs the one before:

1. the previous Keycloak, with the extension built for it, and realms/ applied by ``pulumi up``;
2. data: an agent who reaches CDAP through their home (password; their NameID and habilitations
   recorded, their browser session kept), an administrator with a password, an authenticator app
   and a security key, an agent of an organisation without a convention (refused), events and the
   audit trail;
3. refusals that change nothing: the upgrade with jars built for the previous version; a restore
   of the previous version's backup; a restore into a state directory that is not empty;
4. ``./run up``'s upgrade in place: backup, database moved, ``kc.sh build``, start (migration);
5. nothing lost: ``pulumi preview`` shows no change; the agent's browser session still holds; the
   agent signs in again and CDAP gets the same NameID and habilitations; the administrator signs in
   with the one-time code, then with the security key; the agent without a convention is still
   refused; the events and the audit trail from before are still there.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conformance.administrators import Person, make_person, totp
from conformance.agents import create_agent
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.home import is_signed_in, login_page, sign_in
from conformance.journeys import cdap_assertion, otp_sign_in, refused_without_convention
from conformance.test_security_key import KEY_FORM, OTP_FORM, REGISTER_FORM, _choose_the_key, _key_for, _param
from conformance.webauthn import SecurityKey
from trustcircle import ids
from trustcircle.compiler.attestations import gained_by_issuing
from trustcircle.errors import ConfigurationError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.local.backup import restore_backup
from trustcircle.local.server import LocalKeycloak, built_for
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT, Paths, versions
from trustcircle.target import Target

PREVIOUS = os.environ.get("TRUSTCIRCLE_UPGRADE_FROM", "")
PREVIOUS_EXTENSIONS = Path(os.environ.get("TRUSTCIRCLE_UPGRADE_EXTENSIONS", "/nonexistent"))
PULUMI_TIMEOUT_S = 900
# a stack of its own: Pulumi.<stack>.yaml holds the salt of the passphrase that made it, per machine
STACK = "upgrade"
REALM = "cd33"  # the administrator's (conformance/administrators.py)

pytestmark = pytest.mark.skipif(not PREVIOUS, reason="run through ./run test-upgrade (scripts/upgrade-test.sh)")


def _pulumi(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pulumi", *args, "--stack", STACK, "--non-interactive"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=PULUMI_TIMEOUT_S, check=False)


def _init_stack() -> None:
    (REPO_ROOT / f"Pulumi.{STACK}.yaml").unlink(missing_ok=True)  # another passphrase's salt
    done = subprocess.run(["pulumi", "stack", "init", STACK, "--non-interactive"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr


def _apply_realms() -> None:
    done = _pulumi("up", "--yes", "--refresh", "--skip-preview")  # as ./run up: drift is read back and put right
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _attestation_objects() -> tuple[set[str], set[str]]:
    """What the federation gains once Keycloak can issue attestations (the previous version got it
    without them: trustcircle.pipeline)."""
    return gained_by_issuing(load_federation([REPO_ROOT / "realms"]), "https://127.0.0.1:8443")


def _updates_after_refresh() -> list[str]:
    """The URNs a converge would update, after reading Keycloak back (``pulumi preview --json``);
    besides updates, it may create only what the new version's attestations add."""
    preview = _pulumi("preview", "--refresh", "--json")
    assert preview.returncode == 0, preview.stdout[-3000:] + preview.stderr[-3000:]
    steps = json.loads(preview.stdout).get("steps", [])
    added, _ = _attestation_objects()
    others = [(s["op"], s["urn"]) for s in steps if s["op"] not in ("same", "update", "refresh")
              and not (s["op"] == "create" and s["urn"].split("::")[-1] in added)]
    assert not others, others
    return sorted(s["urn"] for s in steps if s["op"] == "update")


def _saml_clients() -> set[str]:
    """The names (``realm/client/clientId``) of the SAML clients realms/ compiles to."""
    from trustcircle.pipeline import desired_state_of

    return {o.ref.name for o in desired_state_of(REPO_ROOT / "realms").objects
            if o.ref.kind == "client" and o.spec.get("protocol") == "saml"}












def _key_sign_in(target: Target, person: Person, key: SecurityKey) -> bool:
    browser = Browser(str(target.ca_bundle))
    page = _choose_the_key(browser, sign_in(browser, target, REALM, person.username, person.password))
    page = browser.submit(page, page.form(id=KEY_FORM), **key.sign_in(_param(page, "challenge")))
    return is_signed_in(page, target, REALM)


def _login_events(admin: Admin, realm: str, user_id: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = admin.get(f"/{q(realm)}/events?user={q(user_id)}&type=LOGIN&max=100")
    return events


def test_upgrade_in_place_keeps_agents_factors_name_ids_and_gates() -> None:
    paths = Paths.from_env()
    pinned = versions()["KEYCLOAK_VERSION"]
    assert pinned != PREVIOUS
    assert not paths.local.exists(), f"the upgrade test starts from an empty state, not {paths.state}"
    assert {built_for(j) for j in PREVIOUS_EXTENSIONS.glob("*/target/trustcircle-*-[0-9]*[0-9].jar")} == {PREVIOUS}

    # 1. the federation on the previous version
    old = LocalKeycloak(paths, version=PREVIOUS, extensions=PREVIOUS_EXTENSIONS)
    target = old.up()
    _init_stack()
    _apply_realms()
    admin = Admin(target)

    # 2. data: an agent at CDAP (their browser kept), an administrator with three factors, an
    #    agent whose organisation has no convention with CDAP
    agent = create_agent(admin, "cd33", "cd33.example", ("instructeurs-rsa",))
    agent_browser = Browser(str(target.ca_bundle))
    before = cdap_assertion(target, agent_browser, agent)
    granted = rubriques_in_force(load_federation([REPO_ROOT / "realms"]), "cd33", "cdap")
    assert sorted(before.attributes.get("habilitation", [])) == granted
    assert is_signed_in(login_page(agent_browser, target, "cd33"), target, "cd33")  # their session at home
    outsider = create_agent(admin, "caf75", "caf75.example")
    assert refused_without_convention(target, outsider)

    person = make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True, required_actions=("webauthn-register",))
    assert person.otp_key is not None
    used_codes: set[str] = set()
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, REALM, person.username, person.password)
    code = totp(person.otp_key)
    used_codes.add(code)
    page = browser.submit(page, page.form(id=OTP_FORM), otp=code)
    key = _key_for(target, page)
    page = browser.submit(page, page.form(id=REGISTER_FORM), **key.register(_param(page, "challenge")))
    assert is_signed_in(page, target, REALM)
    assert _key_sign_in(target, person, key)

    agent_logins = len(_login_events(admin, "cd33", agent.user_id))
    assert agent_logins >= 1
    audit_before = paths.audit_file.read_text().splitlines()
    assert any(agent.user_id in line for line in audit_before)
    old_home = old.home

    # 3. refusals that change nothing
    with pytest.raises(ConfigurationError, match="built for another Keycloak"):
        LocalKeycloak(paths, extensions=PREVIOUS_EXTENSIONS).up()
    assert old.running() and (old_home / "data" / "h2").exists()
    assert not (paths.local / f"keycloak-{pinned}").exists()

    # 4. the upgrade in place, as ./run up does it (the server is running: it is stopped first)
    started = time.monotonic()
    new = LocalKeycloak(paths)
    target = new.up()
    took = time.monotonic() - started
    record = json.loads((paths.local / "upgrades.jsonl").read_text().splitlines()[-1])
    assert (record["from"], record["to"]) == (PREVIOUS, pinned)
    backup = Path(record["backup"])
    assert backup.exists() and backup.stat().st_mode & 0o077 == 0
    assert not old_home.exists()
    print(f"\nupgrade {PREVIOUS} -> {pinned}: {took:.0f} s in all; build {record['build_s']} s, start "
          f"{record['start_s']} s (database migration {record['migration_s']} s), server down "
          f"{record['downtime_s']} s")

    with pytest.raises(ConfigurationError, match=f"backup of Keycloak {PREVIOUS}"):
        restore_backup(backup, Paths(paths.cache, paths.state.parent / f"{paths.state.name}-restore"))
    with pytest.raises(ConfigurationError, match="is not empty"):
        restore_backup(backup, paths)

    # 5. nothing lost. Keycloak 26.7's migration gives every SAML client a new default client scope
    #    (AuthnContextClassRef, for its SAML step-up): the first converge takes it off trustcircle's
    #    SAML clients again (they declare none; the extension sets the AuthnContextClassRef), and
    #    changes nothing else; the second changes nothing at all.
    updated = _updates_after_refresh()
    _, changed = _attestation_objects()  # the realm and its post-broker flow, now issuing attestations
    saml_updates = [urn for urn in updated if urn.split("::")[-1] not in changed]
    assert saml_updates and all(urn.split("::")[-2].endswith("keycloak:Client") for urn in saml_updates), updated
    assert {urn.split("::")[-1] for urn in saml_updates} <= _saml_clients(), updated
    print(f"first converge after the upgrade: {len(updated)} SAML clients lose Keycloak 26.7's new default scope")
    _apply_realms()
    preview = _pulumi("preview", "--refresh", "--expect-no-changes", "--diff")
    assert preview.returncode == 0, "pulumi reports changes after the upgrade:\n" + preview.stdout[-4000:]

    admin = Admin(target)
    assert is_signed_in(login_page(agent_browser, target, "cd33"), target, "cd33"), "the session was lost"
    after = cdap_assertion(target, Browser(str(target.ca_bundle)), agent)
    assert after.name_id == before.name_id
    assert sorted(after.attributes.get("habilitation", [])) == granted
    assert refused_without_convention(target, outsider)
    assert otp_sign_in(target, REALM, person, used_codes)
    assert _key_sign_in(target, person, key)
    stranger = SecurityKey(origin=target.url, rp_id=key.rp_id, credential_id=key.credential_id)
    assert not _key_sign_in(target, person, stranger)

    assert len(_login_events(admin, "cd33", agent.user_id)) > agent_logins  # the old ones and the new
    audit_after = paths.audit_file.read_text().splitlines()
    assert audit_after[:len(audit_before)] == audit_before
    assert len(audit_after) > len(audit_before)
