"""The local cluster (``./run up --cluster``): PostgreSQL, two or three Keycloak nodes and an nginx
load balancer that ends TLS, all from Debian's packages and the pinned distribution, on 127.0.0.1.

It is the federation of ``./run up`` made highly available, with the settings the k8s stack and the
Ansible role use (``trustcircle.ha``): the nodes share one PostgreSQL database, find each other
through it (JGroups' JDBC_PING) and talk over mutual TLS; nginx verifies an application's client
certificate and passes it on in a header, and sends each request to a node that answers (a node
that refuses connections is skipped, and left out for ``FAIL_TIMEOUT_S``). ``realms/`` is applied
to it by the same ``pulumi up`` (stack ``cluster``), through the load balancer.

Everything lives in the cluster's own state directory (``./run`` uses ``$TRUSTCIRCLE_STATE-cluster``)
under ``local/``: the CA and certificates, the admin credentials, ``postgres/`` (its data directory;
run by the ``postgres`` user when trustcircle runs as root, as PostgreSQL refuses root: an ACL entry
lets that user search, not read, the directories above it), one home
per node (hard links to the built distribution), ``nginx/``, the mail catcher, and one audit trail
per node (``audit/events-node-N.jsonl``).

Ports (``TRUSTCIRCLE_CLUSTER_PORT``, default 28443, moves them all): the load balancer on PORT,
node N's HTTPS on PORT+N and its management interface on PORT+557+N (29001...), JGroups on 7800+N
(its failure detection on 17800+N), PostgreSQL on PORT-3011 (25432), SMTP on PORT-5918 (22525).
"""

from __future__ import annotations

import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from trustcircle import features, ha, tls_policy
from trustcircle.errors import ConfigurationError, LocalServerError
from trustcircle.local.ca import TlsFiles, ensure_tls
from trustcircle.local.mail import MailCatcher
from trustcircle.local.server import _STARTED, HEAP_OPTS, LocalConfig, LocalKeycloak, _progress
from trustcircle.policy import deny_list
from trustcircle.processes import alive, check_port_free, recorded_pid, stop_recorded
from trustcircle.settings import Paths
from trustcircle.target import Target, write_private_json

NODE_START_TIMEOUT_S = 300
NODE_STOP_TIMEOUT_S = 60
PG_TIMEOUT_S = 60
FAIL_TIMEOUT_S = 5  # nginx leaves out a node that refused a connection for this long
DATABASE = "keycloak"
DB_USER = "keycloak"
JGROUPS_BASE_PORT = 7800
# JGroups' default offset (50,000) puts the failure detector's port in Linux's ephemeral range
# (32768-60999), where an outgoing connection of this machine may hold it already: seen
JGROUPS_FD_OFFSET = 10000
JOIN_TIMEOUT_S = 60  # a node ready but alone after this long did not join the cluster
PORT_HINT = ("stop that program, or move every port of the cluster with TRUSTCIRCLE_CLUSTER_PORT "
             "(docs/cluster.md lists those derived from it)")


@dataclass(frozen=True)
class ClusterConfig:
    host: str = "127.0.0.1"
    port: int = 28443
    nodes: int = 2

    @classmethod
    def from_env(cls) -> ClusterConfig:
        try:
            port = int(os.environ.get("TRUSTCIRCLE_CLUSTER_PORT", "28443"))
            nodes = int(os.environ.get("TRUSTCIRCLE_CLUSTER_NODES", "2"))
        except ValueError as err:
            raise ConfigurationError(f"invalid cluster setting: {err}", "set TRUSTCIRCLE_CLUSTER_PORT to a port "
                                     "and TRUSTCIRCLE_CLUSTER_NODES to 2 or 3") from err
        if nodes not in (2, 3):
            raise ConfigurationError(f"TRUSTCIRCLE_CLUSTER_NODES={nodes}: a local cluster has 2 or 3 nodes",
                                     "set TRUSTCIRCLE_CLUSTER_NODES=2 (the default) or 3")
        if not 6000 <= port <= 64000:
            raise ConfigurationError(f"TRUSTCIRCLE_CLUSTER_PORT={port}: the ports derived from it would not fit",
                                     "choose a port between 6000 and 64000 (default 28443)")
        return cls(port=port, nodes=nodes)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    @property
    def postgres_port(self) -> int:
        return self.port - 3011

    @property
    def smtp_port(self) -> int:
        return self.port - 5918

    def node(self, number: int) -> NodeConfig:
        return NodeConfig(f"node-{number}", self.host, self.port + number, self.port + 557 + number,
                          JGROUPS_BASE_PORT + number)


@dataclass(frozen=True)
class NodeConfig:
    name: str
    host: str
    port: int
    management_port: int
    jgroups_port: int

    @property
    def jgroups_fd_port(self) -> int:  # JGroups' failure detection (FD_SOCK2): bind port + offset
        return self.jgroups_port + JGROUPS_FD_OFFSET


# --- PostgreSQL ------------------------------------------------------------------------------------
class Postgres:
    """A PostgreSQL server of Debian's package, on its own data directory and port (not the system's)."""

    def __init__(self, directory: Path, host: str, port: int) -> None:
        self.directory, self.host, self.port = directory, host, port
        self.data, self.sockets, self.log = directory / "data", directory / "run", directory / "postgres.log"
        self.credentials_file = directory.parent / "database.json"

    def _bin(self, program: str) -> Path:
        found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{program}"),
                       key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
        if not found:
            raise ConfigurationError("PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin)",
                                     "install Debian's postgresql package (./run up --cluster does)")
        return found[-1]

    def _as_owner(self) -> list[str]:
        """PostgreSQL refuses to run as root: as root, its programs run as the ``postgres`` user."""
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str, stdin: str | None = None, timeout: float = PG_TIMEOUT_S) -> str:
        done = subprocess.run([*self._as_owner(), *command], input=stdin, capture_output=True, text=True,
                              timeout=timeout, check=False, cwd="/")
        if done.returncode != 0:
            raise LocalServerError(f"PostgreSQL: {Path(command[0]).name} failed (exit {done.returncode}):\n"
                                   + (done.stderr or done.stdout)[-2000:] + f"\nlog: {self.log}",
                                   f"read {self.log}; is port {self.port} free?")
        return done.stdout

    def running(self) -> bool:
        pid_file = self.data / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return False
        return alive(pid)

    def credentials(self) -> dict[str, str]:
        if self.credentials_file.exists():
            data: dict[str, str] = json.loads(self.credentials_file.read_text())
            return data
        if (self.data / "PG_VERSION").exists():
            raise LocalServerError(f"the cluster's database exists, its credentials {self.credentials_file} do not",
                                   "wipe the cluster with ./run cluster reset (then ./run up --cluster)")
        creds = {"username": DB_USER, "password": secrets.token_urlsafe(24)}
        write_private_json(self.credentials_file, creds)
        return creds

    def up(self) -> None:
        creds = self.credentials()
        if self.running():
            return
        check_port_free(self.host, self.port, PORT_HINT)
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.sockets.mkdir(exist_ok=True, mode=0o700)
        if os.geteuid() == 0:  # the postgres user owns its directory, and only it
            owner = pwd.getpwnam("postgres")
            _let_pass(owner.pw_name, self.directory.parent)
            for path in (self.directory, self.sockets, *([self.data] if self.data.exists() else [])):
                os.chown(path, owner.pw_uid, owner.pw_gid)
            self.log.touch()
            os.chown(self.log, owner.pw_uid, owner.pw_gid)
        fresh = not (self.data / "PG_VERSION").exists()
        if fresh:
            _progress(f"PostgreSQL: a new database cluster in {self.data}")
            self._run(str(self._bin("initdb")), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                      "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256")
        options = (f"-c listen_addresses={self.host} -c port={self.port} -c unix_socket_directories={self.sockets}"
                   " -c max_connections=200")
        _progress(f"starting PostgreSQL on {self.host}:{self.port}")
        self._run(str(self._bin("pg_ctl")), "start", "-D", str(self.data), "-l", str(self.log), "-w",
                  "-t", str(PG_TIMEOUT_S), "-o", options, timeout=PG_TIMEOUT_S + 10)
        if fresh:  # the password goes through psql's input, never a command line
            password = creds["password"].replace("'", "''")
            self._psql(f"CREATE ROLE {DB_USER} LOGIN PASSWORD '{password}';\n"
                       f"CREATE DATABASE {DATABASE} OWNER {DB_USER};\n")

    def _psql(self, sql: str) -> str:
        return self._run(str(self._bin("psql")), "-h", str(self.sockets), "-p", str(self.port), "-U", "postgres",
                         "-v", "ON_ERROR_STOP=1", "-q", "-f", "-", stdin=sql)

    def down(self) -> bool:
        if not self.running():
            return False
        self._run(str(self._bin("pg_ctl")), "stop", "-D", str(self.data), "-m", "fast", "-w", "-t", str(PG_TIMEOUT_S),
                  timeout=PG_TIMEOUT_S + 10)
        return True


# --- nginx ------------------------------------------------------------------------------------------
class LoadBalancer:
    """nginx on 127.0.0.1 in front of the nodes: TLS with the federation's certificate, TLS again to
    each node (verified with the local CA), the client certificate passed on as Keycloak expects."""

    def __init__(self, directory: Path, config: ClusterConfig) -> None:
        self.directory, self.config = directory, config
        self.conf, self.pid_file = directory / "nginx.conf", directory / "nginx.pid"

    def render(self, tls: TlsFiles, drained: frozenset[str] = frozenset()) -> str:
        """nginx.conf; a ``drained`` node gets no new request (a rolling restart's step)."""
        nodes = [self.config.node(n) for n in range(1, self.config.nodes + 1)]
        upstream = "\n".join(f"    server {n.host}:{n.port} max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s"
                             f"{' down' if n.name in drained else ''};" for n in nodes)
        d = self.directory
        header = ha.CLIENT_CERT_HEADER
        return f"""# Written by trustcircle (trustcircle/local/cluster.py); edits are overwritten.
daemon off;
worker_processes 1;
pid {self.pid_file};
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {d}/access.log;
  client_body_temp_path {d}/spool/body;
  proxy_temp_path {d}/spool/proxy;
  fastcgi_temp_path {d}/spool/fastcgi;
  uwsgi_temp_path {d}/spool/uwsgi;
  scgi_temp_path {d}/spool/scgi;
  server_tokens off;
  upstream keycloak {{
{upstream}
  }}
  server {{
    listen {self.config.host}:{self.config.port} ssl;
    server_name {self.config.host} localhost;
    ssl_certificate {tls.server_cert};
    ssl_certificate_key {tls.server_key};
    ssl_protocols {" ".join(tls_policy.PROTOCOLS)};
    ssl_ciphers {tls_policy.openssl_ciphers()};
    ssl_prefer_server_ciphers on;
    # applications may present a certificate of the local CA (mutual TLS), browsers need not
    ssl_client_certificate {tls.ca_cert};
    ssl_verify_client optional;
    ssl_verify_depth 2;
    large_client_header_buffers 8 64k;
    # no keep-alive towards clients: a reload (a node drained or taken back) closes the idle
    # connections of the old workers, and a client sending on one as it closes gets no answer
    # (seen once in a rolling restart); each request on a connection of its own
    keepalive_timeout 0;
    # nothing written to disk: the workers run unprivileged (nginx's own user when started by
    # root) and may not write under the state directory; bodies and responses stay in memory
    client_max_body_size 2m;
    client_body_buffer_size 2m;
    proxy_max_temp_file_size 0;
    location / {{
      proxy_pass https://keycloak;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate {tls.ca_cert};
      proxy_ssl_name localhost;
      proxy_ssl_server_name on;
      proxy_ssl_protocols TLSv1.3;
      proxy_http_version 1.1;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # a node that refuses the connection or fails to answer: the next one (a request already
      # sent with POST is never sent twice)
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_next_upstream_tries {self.config.nodes};
      proxy_buffer_size 64k;
      proxy_buffers 8 64k;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto https;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port $server_port;
      # the certificate nginx verified and the outcome (SUCCESS, NONE or FAILED:reason): headers of
      # these names sent by a client are replaced
      proxy_set_header {header} $ssl_client_escaped_cert;
      proxy_set_header {ha.CLIENT_VERIFY_HEADER} $ssl_client_verify;
    }}
  }}
}}
"""

    def _nginx(self) -> str:
        found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if found is None:
            raise ConfigurationError("nginx is not installed", "install Debian's nginx-light package "
                                     "(./run up --cluster does)")
        return found

    def pid(self) -> int | None:
        return recorded_pid(self.pid_file)

    def _write(self, tls: TlsFiles, drained: frozenset[str]) -> None:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.directory / "spool" / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.conf.write_text(self.render(tls, drained))
        test = subprocess.run([self._nginx(), "-t", "-q", "-p", str(self.directory), "-c", str(self.conf)],
                              capture_output=True, text=True, timeout=30, check=False)
        if test.returncode != 0:
            raise LocalServerError(f"nginx refuses its configuration {self.conf}:\n{test.stderr[-2000:]}",
                                   "this is a trustcircle bug: report it with the message above")

    def up(self, tls: TlsFiles) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._write(tls, frozenset())
        if self.pid() is not None:
            self._signal(signal.SIGHUP)  # the configuration again
            return
        check_port_free(self.config.host, self.config.port, PORT_HINT)
        with (self.directory / "nginx.out").open("ab") as out, open(os.devnull, "rb") as null:
            pid = os.posix_spawn(self._nginx(), [self._nginx(), "-p", str(self.directory), "-c", str(self.conf)],
                                 dict(os.environ), setsid=True, file_actions=[
                                     (os.POSIX_SPAWN_DUP2, null.fileno(), 0), (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                                     (os.POSIX_SPAWN_DUP2, out.fileno(), 2)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not alive(pid):
                raise LocalServerError("nginx exited during start-up",
                                       f"read {self.directory / 'error.log'}; is port {self.config.port} free?")
            if self.pid() is not None:
                return
            time.sleep(0.2)
        raise LocalServerError("nginx did not start in 20 s", f"read {self.directory / 'error.log'}")

    def drain(self, tls: TlsFiles, drained: frozenset[str]) -> None:
        """New requests to the other nodes only (nginx reloads; requests under way complete)."""
        self._write(tls, drained)
        self._signal(signal.SIGHUP)
        time.sleep(1)  # nginx's new workers take over; the old ones finish their requests

    def _signal(self, sig: signal.Signals) -> None:
        pid = self.pid()
        if pid is not None:
            os.kill(pid, sig)

    def down(self) -> bool:
        return stop_recorded(self.pid_file, 20)


# --- Keycloak nodes ---------------------------------------------------------------------------------
class _ClusterBuild(LocalKeycloak):
    """The distribution the nodes share, configured and built once for the cluster."""

    def __init__(self, paths: Paths, config: ClusterConfig, postgres: Postgres) -> None:
        super().__init__(paths, LocalConfig(config.host, config.port, config.node(1).management_port,
                                            config.smtp_port))
        self.cluster, self.postgres = config, postgres

    def _conf_lines(self, tls: TlsFiles) -> list[str]:
        options = {
            "db": "postgres", "db-url-host": self.postgres.host, "db-url-port": str(self.postgres.port),
            "db-url-database": DATABASE, "db-username": DB_USER,
            **ha.cluster_options(), **ha.proxy_build_options(), **ha.proxy_options(), **features.keycloak_options(),
            "health-enabled": "true", "metrics-enabled": "true",
            "hostname": self.cluster.url, "http-enabled": "false", "http-host": self.cluster.host,
            "https-certificate-file": str(tls.server_cert), "https-certificate-key-file": str(tls.server_key),
            **tls_policy.keycloak_options(), "truststore-paths": str(tls.ca_cert),
            "cache-embedded-network-bind-address": self.cluster.host, "log": "console"}
        return [f"{name}={value}" for name, value in options.items()]

    def prepare(self, tls: TlsFiles) -> None:
        """Install, configure and build (when the configuration or the extension changed)."""
        self._install()
        jars = self._install_providers(self._extension_jars())
        deny_list.install(self.home)
        self._write_conf(tls)
        if self._needs_build(jars):
            self._build(jars)

    def stamp(self) -> str:
        return (self.dir / "build.stamp").read_text()


class Node:
    """One Keycloak node: its own home (hard links to the shared build), ports, log and audit trail."""

    def __init__(self, directory: Path, config: NodeConfig, build: _ClusterBuild) -> None:
        self.config, self.build = config, build
        self.dir = directory / config.name
        self.home = self.dir / build.home.name
        self.log_file, self.pid_file = self.dir / "keycloak.log", self.dir / "keycloak.pid"
        self.audit_file = build.audit_file.parent / f"events-{config.name}.jsonl"

    @property
    def name(self) -> str:
        return self.config.name

    def install(self) -> None:
        """The built distribution as hard links (nothing copied), renewed when the build changed."""
        stamp = self.dir / "build.stamp"
        if stamp.exists() and stamp.read_text() == self.build.stamp() and self.home.exists():
            return
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True, mode=0o700)
        shutil.copytree(self.build.home, self.home, symlinks=True, copy_function=os.link,
                        ignore=shutil.ignore_patterns("tmp"))
        stamp.write_text(self.build.stamp())

    def pid(self) -> int | None:
        return recorded_pid(self.pid_file)

    def ready(self, ca: Path) -> bool:
        url = f"https://{self.config.host}:{self.config.management_port}/health/ready"
        try:
            return requests.get(url, verify=str(ca), timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def start(self, tls: TlsFiles, admin: dict[str, str], database: dict[str, str]) -> None:
        for port in (self.config.port, self.config.management_port, self.config.jgroups_port,
                     self.config.jgroups_fd_port):
            check_port_free(self.config.host, port, PORT_HINT)
        env = dict(os.environ)
        env.update({"JAVA_OPTS_KC_HEAP": HEAP_OPTS, "JAVA_OPTS_APPEND": f"-Djgroups.fd.port-offset={JGROUPS_FD_OFFSET}",
                    "KC_DB_PASSWORD": database["password"],
                    "KC_BOOTSTRAP_ADMIN_USERNAME": admin["username"], "KC_BOOTSTRAP_ADMIN_PASSWORD": admin["password"]})
        self.audit_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        command = [str(self.home / "bin" / "kc.sh"), "start", "--optimized",
                   f"--https-port={self.config.port}", f"--http-management-port={self.config.management_port}",
                   f"--cache-embedded-network-bind-port={self.config.jgroups_port}",
                   f"--spi-events-listener--trustcircle-audit--file={self.audit_file}"]
        _progress(f"starting Keycloak {self.build.version} {self.name} at https://{self.config.host}:{self.config.port}")
        with self.log_file.open("ab") as log:
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=True, cwd=self.home)
        self.pid_file.write_text(str(proc.pid))
        _STARTED.append(proc)  # the node outlives this object: its handle lives as long as the process
        started, next_note = time.monotonic(), time.monotonic() + 15
        while time.monotonic() - started < NODE_START_TIMEOUT_S:
            if proc.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError(f"Keycloak {self.name} exited during start-up (code {proc.returncode}). "
                                       f"Log tail:\n{self.log_tail()}", f"read {self.log_file}")
            if self.ready(tls.ca_cert):
                _progress(f"{self.name} ready in {time.monotonic() - started:.0f} s")
                return
            if time.monotonic() > next_note:
                _progress(f"waiting for {self.name} ({time.monotonic() - started:.0f} s)")
                next_note += 15
            time.sleep(1)
        self.stop()
        raise LocalServerError(f"Keycloak {self.name} was not ready after {NODE_START_TIMEOUT_S} s. "
                               f"Log tail:\n{self.log_tail()}",
                               f"read {self.log_file}; a node that cannot join the cluster waits for it")

    def stop(self) -> bool:
        return stop_recorded(self.pid_file, NODE_STOP_TIMEOUT_S)

    def cluster_size(self, ca: Path) -> int | None:
        """How many members this node sees in the cluster (Infinispan's view, Keycloak's metrics)."""
        url = f"https://{self.config.host}:{self.config.management_port}/metrics"
        try:
            text = requests.get(url, verify=str(ca), timeout=10).text
        except requests.RequestException:
            return None
        found = re.search(r'^vendor_cluster_size\{[^}]*cache_manager="keycloak"[^}]*\} ([0-9.]+)$', text, re.MULTILINE)
        return int(float(found.group(1))) if found else None

    def kill(self) -> None:
        """SIGKILL, as a machine that goes away: no shutdown, nothing flushed."""
        pid = self.pid()
        if pid is None:
            raise LocalServerError(f"{self.name} is not running", "start it with ./run cluster start " + self.name)
        os.killpg(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_file.exists():
            return "(no log yet)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])


# --- the cluster -----------------------------------------------------------------------------------
class LocalCluster:
    def __init__(self, paths: Paths | None = None, config: ClusterConfig | None = None) -> None:
        self.paths = paths or Paths.from_env()
        self.config = config or ClusterConfig.from_env()
        self.dir = self.paths.local
        self.postgres = Postgres(self.dir / "postgres", self.config.host, self.config.postgres_port)
        self.build = _ClusterBuild(self.paths, self.config, self.postgres)
        self.nodes = [Node(self.dir, self.config.node(n), self.build) for n in range(1, self.config.nodes + 1)]
        self.balancer = LoadBalancer(self.dir / "nginx", self.config)
        self.mail = MailCatcher(self.dir / "mail", self.config.host, self.config.smtp_port)
        self.marker = self.dir / "cluster.json"

    def tls(self) -> TlsFiles:
        return ensure_tls(self.dir / "tls", [self.config.host, "localhost"])

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise ConfigurationError(f"no cluster node {name!r}", "the nodes are " + ", ".join(n.name for n in self.nodes))

    def up(self) -> Target:
        if any(self.dir.glob("keycloak-*/data/h2")):
            raise ConfigurationError(f"{self.paths.state} holds a one-node federation",
                                     "the cluster has a state directory of its own: ./run up --cluster sets it")
        self.paths.state.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tls = self.tls()
        self.build._extension_jars()  # built for this Keycloak: checked before anything changes
        self.postgres.up()
        self.mail.up(tls)
        self.build.prepare(tls)
        admin = self.build._admin_credentials()
        database = self.postgres.credentials()
        for node in self.nodes:
            node.install()
            if node.pid() is not None and node.ready(tls.ca_cert):
                _progress(f"{node.name} already running")
                continue
            node.stop()
            node.start(tls, admin, database)
            self._check_joined(node, tls)
        self.balancer.up(tls)
        self.marker.write_text(json.dumps({"url": self.config.url, "nodes": [
            {"name": n.name, "url": f"https://{n.config.host}:{n.config.port}",
             "management": f"https://{n.config.host}:{n.config.management_port}", "audit": str(n.audit_file)}
            for n in self.nodes]}, indent=2) + "\n")
        target = Target(url=self.config.url, ca_bundle=tls.ca_cert, admin_credentials=self.build.admin_file,
                        smtp=self.mail.smtp_settings())
        target.save(self.dir / "target.json")
        _progress(f"cluster of {len(self.nodes)} nodes ready at {self.config.url} (nginx in front)")
        return target

    def start_node(self, name: str) -> None:
        """Start a node again (after a failure): out of nginx's rotation until it is ready — nginx
        only learns of a node's state from its answers, and a node starting answers 503 before it
        is ready — then taken back."""
        tls = self.tls()
        node = self.node(name)
        node.install()
        self.balancer.drain(tls, frozenset({name}))
        try:
            node.start(tls, self.build._admin_credentials(), self.postgres.credentials())
            self._check_joined(node, tls)
        finally:
            self.balancer.drain(tls, frozenset())

    def _check_joined(self, node: Node, tls: TlsFiles) -> None:
        """The node sees every running node in its cluster view (Infinispan's, through Keycloak's
        metrics), else it formed a cluster of its own: stopped, with why."""
        expected = sum(1 for n in self.nodes if n.pid() is not None)
        deadline, seen = time.monotonic() + JOIN_TIMEOUT_S, None
        while time.monotonic() < deadline:
            seen = node.cluster_size(tls.ca_cert)
            if seen == expected:
                return
            time.sleep(1)
        node.stop()
        raise LocalServerError(
            f"{node.name} started but did not join the cluster: it sees {seen} member(s), {expected} nodes run",
            f"the nodes must share the cache settings of trustcircle/ha.py and reach each other on 127.0.0.1; "
            f"read {node.log_file} (ISPN000094 lines give each view)")

    def rolling_restart(self) -> list[str]:
        """Each node in turn: no new request to it (nginx), stopped, started, ready, taken back."""
        tls, done = self.tls(), []
        for node in self.nodes:
            self.balancer.drain(tls, frozenset({node.name}))
            node.stop()
            node.start(tls, self.build._admin_credentials(), self.postgres.credentials())
            self._check_joined(node, tls)
            self.balancer.drain(tls, frozenset())
            done.append(node.name)
        return done

    def down(self) -> bool:
        was = self.balancer.down()
        for node in self.nodes:
            was = node.stop() or was
        self.mail.down()
        return self.postgres.down() or was

    def status(self) -> dict[str, object]:
        tls_dir = self.dir / "tls"
        ca = tls_dir / "ca.pem"
        return {"url": self.config.url, "balancer": self.balancer.pid() is not None,
                "database": self.postgres.running(),
                "nodes": [{"name": n.name, "pid": n.pid(), "ready": ca.exists() and n.ready(ca),
                           "cluster_size": n.cluster_size(ca) if n.pid() is not None else None} for n in self.nodes]}

    def reset(self) -> None:
        self.down()
        shutil.rmtree(self.dir, ignore_errors=True)


def _let_pass(user: str, directory: Path) -> None:
    """Let ``user`` pass through ``directory`` and the directories above it (an ACL entry giving
    search only, where others may not search): it can reach its own directory below, and list or
    read nothing on the way (the state directory stays 0700)."""
    for path in [directory, *directory.parents]:
        if path.stat().st_mode & 0o001:
            continue
        done = subprocess.run(["setfacl", "-m", f"u:{user}:x", str(path)], capture_output=True, text=True,
                              timeout=30, check=False)
        if done.returncode != 0:
            raise LocalServerError(f"cannot let the {user} user pass through {path}: {done.stderr.strip()}",
                                   "install Debian's acl package (./run up --cluster does), or put the cluster's "
                                   "state where the postgres user may pass (TRUSTCIRCLE_CLUSTER_STATE)")


def is_cluster(paths: Paths | None = None) -> bool:
    return ((paths or Paths.from_env()).local / "cluster.json").exists()
