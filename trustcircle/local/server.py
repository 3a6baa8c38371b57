"""The local Keycloak: installed from the cached official distribution, run in the background.

``up`` is idempotent: a healthy server is left alone, a stopped one is started, and the server is
rebuilt (``kc.sh build``) only when its configuration or provider jars changed. Start-up failures
report the log tail. Nothing listens beyond 127.0.0.1.

Upgrade in place: the database lives in the distribution's ``data/`` (``keycloak-<version>/data``).
When the pinned version changes, ``up`` finds the earlier version's data, checks the extension was
built for the new version, stops the old server, takes a backup (``trustcircle.local.backup``, the
rollback), moves the data into the new distribution, builds and starts it: Keycloak migrates the
database at start. Each upgrade is recorded in ``upgrades.jsonl`` (versions, backup, downtime,
start time including the migration). A downgrade (data newer than the pinned version) is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from trustcircle import features, tls_policy
from trustcircle.errors import ConfigurationError, LocalServerError
from trustcircle.local.ca import TlsFiles, ensure_tls
from trustcircle.local.mail import MailCatcher
from trustcircle.policy import deny_list
from trustcircle.processes import alive, check_port_free, stop_group
from trustcircle.settings import REPO_ROOT, Paths, versions
from trustcircle.target import Target, write_private_json

START_TIMEOUT_S = 240
STOP_TIMEOUT_S = 60
HEAP_OPTS = "-Xms256m -Xmx1536m"
_STARTED: list[subprocess.Popen[bytes]] = []


@dataclass(frozen=True)
class LocalConfig:
    host: str
    port: int
    management_port: int
    smtp_port: int = 2525

    @classmethod
    def from_env(cls) -> LocalConfig:
        try:
            port = int(os.environ.get("TRUSTCIRCLE_KEYCLOAK_PORT", "8443"))
            mgmt = int(os.environ.get("TRUSTCIRCLE_MANAGEMENT_PORT", "9000"))
            smtp = int(os.environ.get("TRUSTCIRCLE_SMTP_PORT", "2525"))
        except ValueError as err:
            raise ConfigurationError(f"invalid port: {err}", "set TRUSTCIRCLE_KEYCLOAK_PORT (or _MANAGEMENT_PORT, "
                                     "_SMTP_PORT) to a number") from err
        return cls(host="127.0.0.1", port=port, management_port=mgmt, smtp_port=smtp)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"


class LocalKeycloak:
    """One Keycloak server of the local federation."""

    def __init__(self, paths: Paths | None = None, config: LocalConfig | None = None, *,
                 version: str | None = None, extensions: Path | None = None) -> None:
        """``version`` and ``extensions`` (the folder whose ``*/target`` holds the jars) default to
        the pinned Keycloak and the project's build; the upgrade test starts from the previous ones."""
        self.paths = paths or Paths.from_env()
        self.config = config or LocalConfig.from_env()
        self.version = version or versions()["KEYCLOAK_VERSION"]
        self.extensions = extensions or REPO_ROOT / "extensions"
        self.dir = self.paths.local
        self.home = self.dir / f"keycloak-{self.version}"
        self.log_file = self.dir / "keycloak.log"
        self.pid_file = self.dir / "keycloak.pid"
        self.admin_file = self.dir / "admin.json"
        self.audit_file = self.paths.audit_file
        self.mail = MailCatcher(self.dir / "mail", self.config.host, self.config.smtp_port)

    # --- public commands -----------------------------------------------------------------------
    def up(self) -> Target:
        """Install, configure, build when needed, start and wait until ready."""
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dir.chmod(0o700)  # database (realm keys, password hashes), credentials, TLS keys: owner only
        tls = ensure_tls(self.dir / "tls", [self.config.host, "localhost"])
        sources = self._extension_jars()  # built for this Keycloak, checked before anything changes
        previous = self.previous_install()
        upgrade = _Upgrade(previous, self.version) if previous is not None else None
        if upgrade is not None:
            self._begin_upgrade(upgrade)
        self._install()
        self.mail.up(tls)  # the realms' outgoing mail (account set-up, forgotten passwords)
        jars = self._install_providers(sources)
        deny_list.install(self.home)  # read by realms whose policy refuses breached passwords
        conf_changed = self._write_conf(tls)
        needs_build = self._needs_build(jars)
        if self.running() and not needs_build and not conf_changed and self._ready(tls):
            _progress(f"Keycloak {self.version} already running at {self.config.url}")
            return self.target(tls)
        if self.running():
            _progress("configuration or extension changed: restarting Keycloak")
            self._stop()
        if needs_build:
            started = time.monotonic()
            self._build(jars)
            if upgrade is not None:
                upgrade.build_s = time.monotonic() - started
        started = time.monotonic()
        self._start(tls)
        if upgrade is not None:
            self._finish_upgrade(upgrade, time.monotonic() - started)
        return self.target(tls)

    # --- upgrade in place ------------------------------------------------------------------------
    def previous_install(self) -> Path | None:
        """The distribution of another Keycloak version holding the database, when this one has none."""
        if (self.home / "data" / "h2").exists():
            return None
        found = sorted(d for d in self.dir.glob("keycloak-*")
                       if d.is_dir() and d != self.home and (d / "data" / "h2").exists())
        if not found:
            return None
        if len(found) > 1:
            raise LocalServerError(
                f"databases of several Keycloak versions in {self.dir}: "
                + ", ".join(d.name for d in found),
                "keep the one to upgrade (move the others away), or restore a backup into an empty "
                "state directory (./run restore FILE)")
        old = found[0].name.removeprefix("keycloak-")
        if _version_key(old) > _version_key(self.version):
            raise LocalServerError(
                f"the local database is from Keycloak {old}, newer than the pinned {self.version}: "
                "Keycloak cannot downgrade a database",
                f"use the trustcircle commit that pins {old}, or restore a backup taken with "
                f"{self.version} into an empty state directory (docs/upgrading.md, rollback)")
        return found[0]

    def _begin_upgrade(self, upgrade: _Upgrade) -> None:
        from trustcircle.local.backup import create_backup

        if not (self.home / "bin" / "kc.sh").exists() and not self.paths.keycloak_dist(self.version).exists():
            raise ConfigurationError(f"Keycloak {self.version}'s distribution is not in the cache",
                                     "run ./run setup (it fetches and verifies it); nothing was changed")
        _progress(f"upgrading the local federation from Keycloak {upgrade.old_version} to {self.version} "
                  "(backup first; docs/upgrading.md)")
        upgrade.stopped_at = time.monotonic()
        was_running = self._stop()
        if not was_running:
            upgrade.stopped_at = None
        report = create_backup(self.paths, keycloak_home=upgrade.old_home, server=None)
        upgrade.backup = report.path
        _progress(f"backup of the Keycloak {upgrade.old_version} federation: {report.path}")
        # the new distribution, with the old data moved in (the backup is the way back)
        self._install()
        shutil.rmtree(self.home / "data", ignore_errors=True)
        (upgrade.old_home / "data").rename(self.home / "data")
        (self.dir / "build.stamp").unlink(missing_ok=True)

    def _finish_upgrade(self, upgrade: _Upgrade, start_s: float) -> None:
        shutil.rmtree(upgrade.old_home, ignore_errors=True)
        record = {
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "from": upgrade.old_version, "to": self.version, "backup": str(upgrade.backup),
            "build_s": round(upgrade.build_s, 1),
            "start_s": round(start_s, 1),  # includes Keycloak's database migration
            "migration_s": _migration_seconds(self.log_tail(4000)),
            "downtime_s": (round(time.monotonic() - upgrade.stopped_at, 1)
                           if upgrade.stopped_at is not None else None),
        }
        with (self.dir / "upgrades.jsonl").open("a") as out:
            out.write(json.dumps(record) + "\n")
        _progress(f"upgraded to Keycloak {self.version}: build {record['build_s']} s, start "
                  f"{record['start_s']} s (migration {record['migration_s']} s), downtime "
                  f"{record['downtime_s']} s; rollback: docs/upgrading.md")

    def down(self) -> bool:
        """Stop the server and the mail catcher; True when the server was running."""
        self.mail.down()
        return self._stop()

    def _stop(self) -> bool:
        pid = self._pid()
        if pid is None:
            return False
        stop_group(pid, STOP_TIMEOUT_S)
        self.pid_file.unlink(missing_ok=True)
        return True

    def reset(self) -> None:
        """Stop the server and delete its data, TLS material and credentials."""
        self.down()
        shutil.rmtree(self.dir, ignore_errors=True)

    def running(self) -> bool:
        return self._pid() is not None

    def status(self) -> dict[str, object]:
        tls_dir = self.dir / "tls"
        tls = TlsFiles(tls_dir / "ca.pem", tls_dir / "server.pem", tls_dir / "server-key.pem")
        ready = self.running() and tls.ca_cert.exists() and self._ready(tls)
        return {"version": self.version, "url": self.config.url, "pid": self._pid(), "ready": ready,
                "home": str(self.home), "log": str(self.log_file)}

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_file.exists():
            return "(no log yet)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def target(self, tls: TlsFiles) -> Target:
        target = Target(url=self.config.url, ca_bundle=tls.ca_cert, admin_credentials=self.admin_file,
                        smtp=self.mail.smtp_settings())
        target.save(self.dir / "target.json")
        return target

    # --- installation ----------------------------------------------------------------------------
    def _install(self) -> None:
        if (self.home / "bin" / "kc.sh").exists():
            return
        dist = self.paths.keycloak_dist(self.version)
        if not dist.exists():
            raise ConfigurationError(f"Keycloak distribution not found at {dist}",
                                     "run ./run setup (it fetches and verifies the distribution)")
        _progress(f"installing Keycloak {self.version} into {self.home}")
        tmp = self.dir / f".install-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        with tarfile.open(dist) as archive:
            archive.extractall(tmp, filter="data")
        fresh = tmp / f"keycloak-{self.version}"
        if (self.home / "data").exists():  # a restored backup's database: kept, the rest installed
            shutil.rmtree(fresh / "data", ignore_errors=True)
            (self.home / "data").rename(fresh / "data")
            shutil.rmtree(self.home)
        fresh.rename(self.home)
        shutil.rmtree(tmp, ignore_errors=True)

    def _extension_jars(self) -> list[Path]:
        """The extension's jars, each built for this Keycloak version (else nothing is changed)."""
        jars = sorted(p for p in self.extensions.glob("*/target/trustcircle-*.jar")
                      if not p.name.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar")))
        if not jars:
            raise ConfigurationError("no extension jar under extensions/*/target/",
                                     "build it with ./run setup (or mvn -f extensions/pom.xml package)")
        wrong = {j.name: built for j in jars if (built := built_for(j)) != self.version}
        if wrong:
            raise ConfigurationError(
                f"extension jars built for another Keycloak than {self.version}: "
                + ", ".join(f"{name} ({built or 'no Keycloak-Version'})" for name, built in sorted(wrong.items())),
                "rebuild the extension against the pinned version: ./run setup (nothing was changed)")
        return jars

    def _install_providers(self, jars: list[Path]) -> list[Path]:
        providers = self.home / "providers"
        for old in providers.glob("trustcircle-*.jar"):
            if old.name not in {j.name for j in jars}:
                old.unlink()
        for jar in jars:
            dest = providers / jar.name
            if not dest.exists() or dest.read_bytes() != jar.read_bytes():
                shutil.copy2(jar, dest)
        return [providers / j.name for j in jars]

    def _write_conf(self, tls: TlsFiles) -> bool:
        conf = "\n".join(["# Written by trustcircle local up; edits are overwritten.", *self._conf_lines(tls), ""])
        path = self.home / "conf" / "keycloak.conf"
        if path.exists() and path.read_text() == conf:
            return False
        path.write_text(conf)
        return True

    def _conf_lines(self, tls: TlsFiles) -> list[str]:
        """keycloak.conf of the one-node server (the cluster's nodes: trustcircle.local.cluster)."""
        return [
            "db=dev-file",
            "cache=local",  # one node: no JGroups cluster listening on the network
            "health-enabled=true",
            "metrics-enabled=true",
            *(f"{name}={value}" for name, value in features.keycloak_options().items()),
            f"hostname={self.config.url}",
            "http-enabled=false",
            f"http-host={self.config.host}",
            f"https-port={self.config.port}",
            f"http-management-port={self.config.management_port}",
            f"https-certificate-file={tls.server_cert}",
            f"https-certificate-key-file={tls.server_key}",
            *(f"{name}={value}" for name, value in tls_policy.keycloak_options().items()),
            f"truststore-paths={tls.ca_cert}",
            "log=console",
            # the extension's audit trail: every event of every realm, one JSON object per line
            f"spi-events-listener--trustcircle-audit--file={self.audit_file}",
        ]

    def _build_key(self, jars: list[Path]) -> str:
        digest = hashlib.sha256((self.home / "conf" / "keycloak.conf").read_bytes())
        for jar in jars:
            digest.update(jar.name.encode() + jar.read_bytes())
        return digest.hexdigest()

    def _needs_build(self, jars: list[Path]) -> bool:
        stamp = self.dir / "build.stamp"
        return not stamp.exists() or stamp.read_text() != self._build_key(jars)

    def _build(self, jars: list[Path]) -> None:
        _progress("kc.sh build (configuration or providers changed; ~1 min)")
        result = subprocess.run([str(self.home / "bin" / "kc.sh"), "build"], env=self._env(),
                                capture_output=True, text=True, timeout=600, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
            raise LocalServerError(f"kc.sh build failed:\n{tail}", "fix the cause above and run again")
        (self.dir / "build.stamp").write_text(self._build_key(jars))

    # --- running ---------------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["JAVA_OPTS_KC_HEAP"] = HEAP_OPTS
        return env

    def _admin_credentials(self) -> dict[str, str]:
        if self.admin_file.exists():
            data: dict[str, str] = json.loads(self.admin_file.read_text())
            return data
        if (self.home / "data" / "h2").exists():
            raise LocalServerError(
                f"the local Keycloak has data but its admin credentials file {self.admin_file} is missing",
                "wipe the local server with: ./run local reset   (then ./run up)")
        creds = {"username": "tc-admin", "password": secrets.token_urlsafe(24)}
        write_private_json(self.admin_file, creds)
        return creds

    def _start(self, tls: TlsFiles) -> None:
        for port in (self.config.port, self.config.management_port):
            check_port_free(self.config.host, port)
        creds = self._admin_credentials()
        env = self._env()
        env["KC_BOOTSTRAP_ADMIN_USERNAME"] = creds["username"]
        env["KC_BOOTSTRAP_ADMIN_PASSWORD"] = creds["password"]
        _progress(f"starting Keycloak {self.version} at {self.config.url}")
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen([str(self.home / "bin" / "kc.sh"), "start", "--optimized"],
                                    stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True, cwd=self.home)
        self.pid_file.write_text(str(proc.pid))
        _STARTED.append(proc)  # the server outlives this object: its handle lives as long as the process
        self._wait_ready(proc, tls)

    def _wait_ready(self, proc: subprocess.Popen[bytes], tls: TlsFiles) -> None:
        started = time.monotonic()
        next_note = started + 15
        while time.monotonic() - started < START_TIMEOUT_S:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError(
                    f"Keycloak exited during start-up (code {proc.returncode}). Log tail:\n{self.log_tail()}",
                    f"read {self.log_file}; a busy port or a bad provider jar are the usual causes")
            if self._ready(tls):
                _progress(f"Keycloak ready in {time.monotonic() - started:.0f} s")
                return
            if time.monotonic() > next_note:
                _progress(f"waiting for Keycloak to be ready ({time.monotonic() - started:.0f} s)")
                next_note += 15
            time.sleep(1)
        self._stop()
        raise LocalServerError(
            f"Keycloak was not ready after {START_TIMEOUT_S} s. Log tail:\n{self.log_tail()}",
            f"read {self.log_file}; the machine may be overloaded: run ./run up again")

    def _ready(self, tls: TlsFiles) -> bool:
        url = f"https://{self.config.host}:{self.config.management_port}/health/ready"
        try:
            return requests.get(url, verify=str(tls.ca_cert), timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        if alive(pid) and "java" in _cmdline(pid) + _child_cmdlines(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None


@dataclass
class _Upgrade:
    old_home: Path
    new_version: str
    stopped_at: float | None = None
    backup: Path | None = None
    build_s: float = 0.0

    @property
    def old_version(self) -> str:
        return self.old_home.name.removeprefix("keycloak-")


def built_for(jar: Path) -> str | None:
    """The Keycloak version a trustcircle jar was compiled against (its manifest's Keycloak-Version)."""
    try:
        with zipfile.ZipFile(jar) as archive:
            manifest = archive.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    match = re.search(r"^Keycloak-Version: *(\S+)", manifest, re.MULTILINE)
    return match.group(1) if match else None


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def _migration_seconds(log: str) -> float | None:
    """Keycloak's database update at the last start, from the server log: from Liquibase's
    "Updating database" to the last realm migrated (None: no update logged). Keycloak 26.7 runs it
    after "started in", on the first request, so the start time alone does not show it."""
    stamp = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) "
    begins = list(re.finditer(stamp + r".*Updating database\.", log, re.MULTILINE))
    if not begins:
        return None
    ends = list(re.finditer(stamp + r".*(?:migrated realm \S+ to|Migrating older model to)",
                            log[begins[-1].end():], re.MULTILINE))
    if not ends:
        return None
    fmt = "%Y-%m-%d %H:%M:%S,%f"
    elapsed = datetime.strptime(ends[-1].group(1), fmt) - datetime.strptime(begins[-1].group(1), fmt)
    return round(elapsed.total_seconds(), 1)


def _progress(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _child_cmdlines(pid: int) -> str:
    return " ".join(_cmdline(int(c)) for c in _children(pid))


def _children(pid: int) -> Iterator[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    if path.exists():
        yield from path.read_text().split()
