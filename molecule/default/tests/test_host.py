"""The host playbooks/site.yml converged (this machine), checked by molecule's testinfra verifier
(through tests/ansible/inventory, whose host has a local connection)."""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.tls_probe import handshake
from tests.ansible.exports import Server
from trustcircle import tls_policy
from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

USER = "keycloak"


def test_jdk_and_postgresql_packages_are_installed(host: Any) -> None:
    assert host.package("openjdk-17-jre-headless").is_installed
    assert host.package("postgresql").is_installed
    assert host.run("java -version").rc == 0


def test_keycloak_system_user(host: Any) -> None:
    user = host.user(USER)
    assert user.exists and user.uid < 1000 and user.shell == "/usr/sbin/nologin"
    assert user.group == USER


@pytest.mark.parametrize(("path", "owner", "mode"), [
    ("{home}", USER, None),
    ("{home}/conf/keycloak.conf", USER, 0o640),
    ("{home}/conf/tls/server-key.pem", USER, 0o600),
    ("{home}/conf/tls/server.pem", USER, 0o644),
    ("{home}/providers/trustcircle-audit-listener-0.1.0.jar", USER, 0o644),
    ("/etc/default/trustcircle-it-keycloak", "root", 0o600),
    ("/etc/init.d/trustcircle-it-keycloak", "root", 0o755),
])
def test_ownership_and_modes(host: Any, it_home: str, path: str, owner: str, mode: int | None) -> None:
    found = host.file(path.format(home=it_home))
    assert found.exists and found.user == owner
    if mode is not None:
        assert found.mode == mode


def test_keycloak_conf(host: Any, it_home: str, it_vars: dict[str, Any]) -> None:
    conf = host.file(f"{it_home}/conf/keycloak.conf").content_string
    lines = set(conf.splitlines())
    expected = {"db=postgres", "db-url-host=127.0.0.1", f"db-url-database={it_vars['keycloak_database_name']}",
                "http-enabled=false", "http-host=127.0.0.1", "https-port=18443", "http-management-port=19000",
                *(f"{k}={v}" for k, v in tls_policy.keycloak_options().items()),
                "health-enabled=true", "metrics-enabled=true", "cache=local",
                "hostname=https://127.0.0.1:18443",
                "spi-events-listener--trustcircle-audit--file=/opt/trustcircle-it/log/audit/events.jsonl"}
    assert expected <= lines
    # secrets live in the root-only environment file
    assert not [line for line in lines if line.startswith("db-password")]
    assert os.environ["TRUSTCIRCLE_IT_DB_PASSWORD"] not in conf


def test_service_running_as_keycloak(host: Any) -> None:
    assert host.run("service trustcircle-it-keycloak status").rc == 0
    java = host.process.filter(user=USER, comm="java")
    assert len(java) == 1


def test_listens_on_the_expected_ports_only(host: Any) -> None:
    pid = host.process.get(user=USER, comm="java").pid
    out = host.check_output(f"ss -Htlnp | grep 'pid={pid},'")
    listening = {line.split()[3].replace("[::ffff:", "").replace("]", "") for line in out.splitlines()}
    assert {"127.0.0.1:18443", "127.0.0.1:19000"} <= listening
    # besides them, only the JVM's own loopback listener on an ephemeral port (the local
    # federation's Keycloak has one too); nothing else, and nothing beyond 127.0.0.1
    low = int(host.file("/proc/sys/net/ipv4/ip_local_port_range").content_string.split()[0])
    others = listening - {"127.0.0.1:18443", "127.0.0.1:19000"}
    assert len(others) <= 1 and all(a.startswith("127.0.0.1:") and int(a.split(":")[1]) >= low for a in others)


def _handshake(port: int, version: ssl.TLSVersion, ca: Path) -> str:
    return handshake("127.0.0.1", port, ca, version)[0]


@pytest.mark.parametrize("port", [18443, 19000])
def test_tls_1_0_and_1_1_refused_1_2_and_1_3_accepted(port: int, ca_bundle: Path) -> None:
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises(ssl.SSLError) as refused:
            _handshake(port, old, ca_bundle)
        assert "NO_PROTOCOLS_AVAILABLE" not in str(refused.value)  # the server refused, not our client
    assert _handshake(port, ssl.TLSVersion.TLSv1_2, ca_bundle) == "TLSv1.2"
    assert _handshake(port, ssl.TLSVersion.TLSv1_3, ca_bundle) == "TLSv1.3"


def test_health_ready_on_the_management_port(ca_bundle: Path) -> None:
    answer = requests.get("https://127.0.0.1:19000/health/ready", verify=str(ca_bundle), timeout=10)
    assert answer.status_code == 200 and answer.json()["status"] == "UP"


def test_extension_loaded(it_server: Server) -> None:
    providers = it_server.get("/serverinfo")["providers"]
    assert "trustcircle-audit" in providers["eventsListener"]["providers"]
    assert "trustcircle-account-mail" in providers["eventsListener"]["providers"]
    assert "trustcircle-temporary-password" in providers["eventsListener"]["providers"]
    assert {"trustcircle-convention-gate", "trustcircle-temp-password-expiry",
            "trustcircle-temp-password-expiry-dg"} <= set(providers["authenticator"]["providers"])


def test_postgresql_in_use_not_h2(host: Any, it_home: str, it_vars: dict[str, Any]) -> None:
    assert not host.file(f"{it_home}/data/h2").exists
    database = it_vars["keycloak_database_name"]
    query = "SELECT name FROM realm ORDER BY name"
    realms = host.check_output("runuser -u postgres -- psql -XtA -d %s -c %s", database, query).split()
    assert "master" in realms and "cnaf" in realms


def test_realms_applied(it_server: Server) -> None:
    federation = load_federation([REPO_ROOT / "realms"])
    wanted = {o.ref.realm for o in compile_federation(federation, Environment(public_url="https://x"))}
    present = {r["realm"] for r in it_server.get("/realms")}
    assert wanted <= present
