"""An upgrade of an Ansible-managed Keycloak on PostgreSQL, with data: KEYCLOAK_PREVIOUS_VERSION to
KEYCLOAK_VERSION by re-running ``playbooks/site.yml``.

Run by ``./run test-upgrade-ansible`` (``scripts/ansible-upgrade-test.sh``), never by the main pytest
call: the script prepares a host of its own on this machine (``tests/ansible/upgrade-inventory``:
127.0.0.1:38443, ``/opt/trustcircle-upgrade-it``, service ``trustcircle-upgrade-it-keycloak``,
database ``trustcircle_upgrade_it``), forgotten before and after, the extension built for the
previous version, the secrets, the certificate and the realms copy, and passes them in the
environment.

The scenario, in one test because each phase needs the one before:

1. ``site.yml`` with the previous version and the extension built for it (extra variables):
   PostgreSQL database, Keycloak, the extension, ``realms/`` (the keycloak_realms role);
2. data: an agent of cd33 who reaches CDAP through their home (NameID and habilitations recorded,
   their browser session kept), an agent of caf75 (no convention with CDAP: refused), an
   administrator with a password and an authenticator app, login events and audit lines;
3. a refusal that changes nothing: ``site.yml`` with the pinned version but the previous version's
   jars stops in its pre_tasks (no new distribution directory, the same server process, still on
   the previous version);
4. the upgrade: ``site.yml`` with the inventory's own version (``versions.env``) and extension, as an
   operator runs it after ``git pull`` and ``./run setup``: a pg_dump, the new distribution beside
   the old, ``kc.sh build``, restart, PostgreSQL migrated at start, realms converged; timed, with
   the service's availability polled to measure the downtime;
5. nothing lost: Keycloak reports the new version, started once and with the extension; the realms
   role only took Keycloak 26.7's new default scope off the SAML clients; the dump exists
   (postgres, 0600) and ``pg_restore --list`` reads it; a second run changes nothing (idempotence),
   nor would a ``--check`` run; the agent's browser session still holds; the agent signs in again
   and CDAP receives the same NameID and habilitations; the caf75 agent is still refused; the
   administrator signs in with the one-time code; the login events and audit lines from before are
   all there;
6. the rollback: the service stopped, the database made anew and the dump restored into it,
   ``site.yml`` with the
   previous version and its jars: Keycloak is back on it, with the realms as they were, and the
   agent (same NameID) and the administrator (one-time code) sign in;
and the runs' output holds no secret of the host and no private key.
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from conformance.administrators import make_person
from conformance.agents import create_agent
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.home import is_signed_in, login_page
from conformance.journeys import cdap_assertion, otp_sign_in, refused_without_convention
from tests.ansible.exports import Server
from trustcircle import ids
from trustcircle.compiler.attestations import gained_by_issuing
from trustcircle.keycloak.admin import Admin, q
from trustcircle.leaks import scan
from trustcircle.local.server import _migration_seconds, built_for
from trustcircle.model.loader import load_federation
from trustcircle.pipeline import desired_state
from trustcircle.settings import REPO_ROOT, Paths, versions
from trustcircle.target import Target, write_private_json

PREVIOUS = os.environ.get("TRUSTCIRCLE_ANSIBLE_UPGRADE_FROM", "")
PREVIOUS_EXTENSIONS = Path(os.environ.get("TRUSTCIRCLE_UPGRADE_EXTENSIONS", "/nonexistent"))
INVENTORY = REPO_ROOT / "tests" / "ansible" / "upgrade-inventory"
HOST = "trustcircle-upgrade-it"
REPORTS = REPO_ROOT / "reports" / "ansible-upgrade"
PLAYBOOK_TIMEOUT_S = 1800
POLL_S = 0.5
REALM = "cd33"

pytestmark = pytest.mark.skipif(not PREVIOUS, reason="run through ./run test-upgrade-ansible "
                                                     "(scripts/ansible-upgrade-test.sh)")


@dataclass(frozen=True)
class Host:
    """The upgrade test host, from its inventory's literal variables."""

    base: Path
    service: str
    url: str
    management_port: int
    database: str
    database_user: str

    @classmethod
    def from_inventory(cls) -> Host:
        group: dict[str, Any] = yaml.safe_load((INVENTORY / "group_vars" / "keycloak.yml").read_text())
        own: dict[str, Any] = yaml.safe_load((INVENTORY / "host_vars" / f"{HOST}.yml").read_text())
        both = group | own
        return cls(Path(both["trustcircle_it_base"]), both["keycloak_server_service_name"],
                   both["keycloak_server_hostname"], int(both["keycloak_server_management_port"]),
                   both["keycloak_server_db_name"], both["keycloak_server_db_username"])

    def home(self, version: str) -> Path:
        return self.base / "keycloak" / f"keycloak-{version}"

    def dump(self, version: str) -> Path:
        """The pg_dump keycloak_server takes before upgrading to ``version``."""
        return self.base / "backups" / f"{self.database}-before-{version}.dump"

    @property
    def log(self) -> Path:
        return self.base / "log" / "keycloak.log"

    @property
    def audit(self) -> Path:
        return self.base / "log" / "audit" / "events.jsonl"

    def pid(self) -> int | None:
        """The service's process (its pid file), when it runs."""
        try:
            pid = int(Path(f"/run/{self.service}.pid").read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if Path(f"/proc/{pid}").exists() else None


@dataclass(frozen=True)
class Run:
    returncode: int
    seconds: float
    output: str
    log: Path

    @property
    def changed(self) -> list[str]:
        """The tasks and handlers that reported a change (from ansible-playbook's own output)."""
        found: list[str] = []
        task = ""
        for line in self.output.splitlines():
            header = re.match(r"^(?:TASK|RUNNING HANDLER) \[(.*)\] \**$", line)
            if header:
                task = header.group(1)
            elif line.startswith("changed: ") and task not in found:
                found.append(task)
        return found

    def realm_changes(self) -> list[str]:
        """The Keycloak objects the keycloak_realms role created, updated or removed (its diff)."""
        return re.findall(r"^\+((?:create|update|delete) \S+)", self.output, re.MULTILINE)


def _playbook(name: str, *options: str, **extra_vars: str) -> Run:
    """``playbooks/site.yml`` on the upgrade test host, with ``--diff`` (no task that handles a
    secret shows a diff); its output is kept in reports/ansible-upgrade/NAME.log."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    log = REPORTS / f"{name}.log"
    argv = ["ansible-playbook", "--inventory", str(INVENTORY), "playbooks/site.yml", "--diff", *options]
    argv += [f"--extra-vars={key}={value}" for key, value in extra_vars.items()]
    env = os.environ | {"ANSIBLE_CONFIG": str(REPO_ROOT / "ansible.cfg"), "NO_COLOR": "1", "ANSIBLE_NOCOLOR": "1"}
    started = time.monotonic()
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=PLAYBOOK_TIMEOUT_S, check=False)
    took = time.monotonic() - started
    log.write_text(done.stdout + done.stderr)
    return Run(done.returncode, took, done.stdout + done.stderr, log)


def _on_previous_version() -> dict[str, str]:
    """The extra variables of a run on the previous version, with the jars built for it."""
    return {"keycloak_server_version": PREVIOUS,
            "keycloak_server_dist_sha256": versions()["KEYCLOAK_PREVIOUS_DIST_SHA256"],
            "keycloak_extension_source_dir": str(PREVIOUS_EXTENSIONS)}


@dataclass
class Availability:
    """The public endpoint polled every POLL_S while an upgrade runs (bounded by ``limit_s``): how
    long, and how many times, the realms could not be served."""

    url: str
    ca: str
    limit_s: float
    samples: list[tuple[float, bool]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _poll(self) -> None:
        begun = time.monotonic()
        while not self._stop.is_set() and time.monotonic() - begun < self.limit_s:
            at = time.monotonic()
            try:
                ok = requests.get(f"{self.url}/realms/{REALM}/.well-known/openid-configuration",
                                  verify=self.ca, timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            self.samples.append((at, ok))
            self._stop.wait(POLL_S)

    def outages(self) -> list[float]:
        """Each stretch without an answer, in seconds (from its first failed probe to the next good one)."""
        found: list[float] = []
        down_since: float | None = None
        for at, ok in self.samples:
            if not ok and down_since is None:
                down_since = at
            elif ok and down_since is not None:
                found.append(round(at - down_since, 1))
                down_since = None
        if down_since is not None:
            found.append(round(self.samples[-1][0] - down_since, 1))
        return found


def _target(host: Host, state: Path) -> Target:
    credentials = state / "admin.json"
    write_private_json(credentials, {"username": "tc-admin",
                                     "password": os.environ["TRUSTCIRCLE_UPGRADE_IT_ADMIN_PASSWORD"]})
    return Target(url=host.url, ca_bundle=Paths.from_env().local / "tls" / "ca.pem", admin_credentials=credentials)


def _server_version(target: Target) -> str:
    server = Server(target.url, target.ca_bundle, *target.credentials())
    version: str = server.get("/serverinfo")["systemInfo"]["version"]
    return version











def _login_events(admin: Admin, user_id: str) -> list[dict[str, object]]:
    events: list[dict[str, object]] = admin.get(f"/{q(REALM)}/events?user={q(user_id)}&type=LOGIN&max=100")
    return events


def _new_version_starts(log: str, version: str) -> list[str]:
    return re.findall(rf"^.*Keycloak {re.escape(version)} on JVM .* started in ([0-9.]+)s", log, re.MULTILINE)


def test_ansible_upgrade_in_place_keeps_agents_factors_name_ids_and_gates() -> None:
    pinned = versions()["KEYCLOAK_VERSION"]
    assert pinned != PREVIOUS
    host = Host.from_inventory()
    state = Path(os.environ["TRUSTCIRCLE_UPGRADE_IT_STATE"])
    assert not (host.base / "keycloak").exists(), f"the upgrade test starts from a host without Keycloak in {host.base}"
    assert {built_for(j) for j in PREVIOUS_EXTENSIONS.glob("*/target/trustcircle-*-[0-9]*[0-9].jar")} == {PREVIOUS}
    assert (PREVIOUS_EXTENSIONS / "target" / "KEYCLOAK_VERSION").read_text().strip() == PREVIOUS

    # 1. the host on the previous version, realms/ applied by the keycloak_realms role
    first = _playbook("1-converge-previous", **_on_previous_version())
    assert first.returncode == 0, f"site.yml on Keycloak {PREVIOUS} failed: read {first.log}"
    target = _target(host, state)
    assert _server_version(target) == PREVIOUS
    assert first.realm_changes(), "the keycloak_realms role applied nothing"
    print(f"\nconverge on Keycloak {PREVIOUS}: {first.seconds:.0f} s")

    # 2. data
    admin = Admin(target)
    agent = create_agent(admin, REALM, "cd33.example", ("instructeurs-rsa",))
    agent_browser = Browser(str(target.ca_bundle))
    before = cdap_assertion(target, agent_browser, agent)
    granted = rubriques_in_force(load_federation([REPO_ROOT / "realms"]), REALM, "cdap")
    assert granted and sorted(before.attributes.get("habilitation", [])) == granted
    assert is_signed_in(login_page(agent_browser, target, REALM), target, REALM)  # their session at home
    outsider = create_agent(admin, "caf75", "caf75.example")
    assert refused_without_convention(target, outsider)
    person = make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True)
    used_codes: set[str] = set()
    assert otp_sign_in(target, REALM, person, used_codes)
    agent_logins = len(_login_events(admin, agent.user_id))
    assert agent_logins >= 1
    audit_before = host.audit.read_text().splitlines()
    assert any(agent.user_id in line for line in audit_before)

    # 3. the pinned version with the previous version's jars: refused in site.yml's pre_tasks
    pid = host.pid()
    assert pid is not None
    refused = _playbook("2-refused-previous-jars", keycloak_extension_source_dir=str(PREVIOUS_EXTENSIONS))
    assert refused.returncode != 0, f"site.yml accepted jars built for {PREVIOUS} on {pinned}: read {refused.log}"
    assert f"was built for Keycloak {PREVIOUS}; the server is Keycloak {pinned}" in refused.output, refused.log
    assert "Check the extension was built for the server's Keycloak version" in refused.output
    assert not refused.changed, f"the refused run changed {refused.changed}"
    assert "TASK [keycloak_database" not in refused.output, "a role ran after the refusal"
    assert not host.home(pinned).exists() and not host.dump(pinned).exists()
    assert host.pid() == pid and _server_version(target) == PREVIOUS

    # 4. the upgrade: the inventory's own version and extension
    log_offset = host.log.stat().st_size
    availability = Availability(target.url, str(target.ca_bundle), PLAYBOOK_TIMEOUT_S)
    availability.start()
    try:
        upgrade = _playbook("3-upgrade")
    finally:
        availability.stop()
    assert upgrade.returncode == 0, f"the upgrade run failed: read {upgrade.log}"
    assert _server_version(target) == pinned
    with host.log.open("rb") as handle:
        handle.seek(log_offset)
        server_log = handle.read().decode("utf-8", "replace")
    migration_s = _migration_seconds(server_log)
    starts = _new_version_starts(server_log, pinned)
    outages = availability.outages()
    assert migration_s is not None, "no database migration in the server log"
    print(f"upgrade {PREVIOUS} -> {pinned} by site.yml: {upgrade.seconds:.0f} s in all; service down "
          f"{sum(outages):.1f} s ({len(outages)} outage(s): {outages}); Keycloak {pinned} started "
          f"{len(starts)} time(s) (started in {', '.join(starts)} s); database migration {migration_s} s")
    print("tasks changed by the upgrade: " + "; ".join(upgrade.changed))
    print(f"realm objects changed by the upgrade run: {upgrade.realm_changes()}")
    assert outages, "the availability probe saw no outage: it did not watch the restart"
    # the realms: Keycloak 26.7's migration gives every SAML client a new default client scope
    # (AuthnContextClassRef, for its SAML step-up); the keycloak_realms role takes it off again
    # (trustcircle's SAML clients declare none) and changes nothing else
    # and creates what Keycloak 26.7's attestations add (the previous version got the realms without them)
    added, changed = gained_by_issuing(load_federation([state / "realms"]), target.url)
    changes = [c for c in upgrade.realm_changes() if c not in {f"create {n}" for n in added}
               and c not in {f"update {n}" for n in changed}]
    assert changes and all(c.startswith("update ") for c in changes), changes
    assert {c.removeprefix("update ") for c in changes} <= _saml_clients(target, state / "realms"), changes
    # built while the old version served, started once, with the extension from its first start
    assert len(starts) == 1, f"Keycloak {pinned} started {len(starts)} times during the upgrade: read {host.log}"
    assert "trustcircle audit listener writing to" in server_log, "the new version started without the extension"

    # the dump taken before the upgrade: postgres's, owner only, readable by pg_restore
    dump = host.dump(pinned)
    assert dump.exists(), f"no pre-upgrade dump at {dump}"
    stat = dump.stat()
    assert (stat.st_uid, stat.st_gid) == (_uid("postgres"), _gid("postgres"))
    assert stat.st_mode & 0o777 == 0o600, oct(stat.st_mode)
    listed = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True, timeout=120,
                            check=False)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"TABLE DATA public user_entity ", listed.stdout), "the dump has no user_entity data"
    assert re.search(r"TABLE DATA public credential ", listed.stdout)
    assert host.home(PREVIOUS).exists()  # left beside the new one: the rollback needs it

    # idempotence: a second run changes nothing
    again = _playbook("4-idempotence")
    assert again.returncode == 0, f"the second run failed: read {again.log}"
    assert not again.changed, f"the second run after the upgrade changed {again.changed}: read {again.log}"
    dry = _playbook("5-check-mode", "--check")
    assert dry.returncode == 0, f"site.yml --check failed after the upgrade: read {dry.log}"
    assert not dry.changed, f"site.yml --check would change {dry.changed}: read {dry.log}"

    # 5. nothing lost
    admin = Admin(target)
    assert is_signed_in(login_page(agent_browser, target, REALM), target, REALM), "the session was lost"
    after = cdap_assertion(target, Browser(str(target.ca_bundle)), agent)
    assert after.name_id == before.name_id
    assert sorted(after.attributes.get("habilitation", [])) == granted
    assert refused_without_convention(target, outsider)
    assert otp_sign_in(target, REALM, person, used_codes)
    assert len(_login_events(admin, agent.user_id)) > agent_logins  # the old ones and the new
    audit_after = host.audit.read_text().splitlines()
    assert audit_after[:len(audit_before)] == audit_before
    assert len(audit_after) > len(audit_before)

    # 6. the rollback, as docs/upgrading.md tells it: the service stopped, the dump restored into the
    #    database made anew, and site.yml with the previous version and its jars (still on the host)
    started = time.monotonic()
    subprocess.run(["service", host.service, "stop"], capture_output=True, timeout=180, check=True)
    # into the database made anew: pg_restore --clean drops only what the dump holds, and the new
    # version's migration added tables that reference it (26.7: user_ver_credential, ...)
    for argv in (["dropdb", host.database],
                 ["createdb", "--owner", host.database_user, "--encoding", "UTF8", "--template", "template0",
                  host.database],
                 ["pg_restore", "--single-transaction", "--exit-on-error", "-d", host.database, str(dump)]):
        done = subprocess.run(["runuser", "-u", "postgres", "--", *argv], cwd="/", capture_output=True, text=True,
                              timeout=600, check=False)
        assert done.returncode == 0, f"{argv[0]}: {done.stderr[-3000:]}"
    rollback = _playbook("6-rollback", **_on_previous_version())
    assert rollback.returncode == 0, f"the rollback run failed: read {rollback.log}"
    print(f"rollback to {PREVIOUS} (stop, pg_restore, site.yml): {time.monotonic() - started:.0f} s")
    assert "keycloak_server : Build Keycloak (kc.sh build)" not in rollback.changed, "the rollback rebuilt"
    assert "keycloak_server : Restart Keycloak" in rollback.changed
    assert _server_version(target) == PREVIOUS
    assert not rollback.realm_changes(), rollback.realm_changes()  # the realms as they were before
    back = cdap_assertion(target, Browser(str(target.ca_bundle)), agent)
    assert back.name_id == before.name_id
    assert sorted(back.attributes.get("habilitation", [])) == granted
    assert otp_sign_in(target, REALM, person, used_codes)

    # what the runs printed holds neither the host's secrets nor a private key
    secrets = (os.environ["TRUSTCIRCLE_UPGRADE_IT_ADMIN_PASSWORD"], os.environ["TRUSTCIRCLE_UPGRADE_IT_DB_PASSWORD"])
    assert not scan([REPORTS], secrets), [f.render() for f in scan([REPORTS], secrets)]


def _saml_clients(target: Target, realms: Path) -> set[str]:
    """The names (``realm/client/clientId``) of the SAML clients ``realms`` compiles to for the host."""
    return {o.ref.name for o in desired_state(realms, target, Path("-"), reachable=False).objects
            if o.ref.kind == "client" and o.spec.get("protocol") == "saml"}


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


def _gid(name: str) -> int:
    import grp

    return grp.getgrnam(name).gr_gid
