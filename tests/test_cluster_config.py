"""The local cluster's pure parts: its ports, what a bad setting says, the nginx configuration
(checked by the real nginx, ``nginx -t``: no server is started), and the join check (a node seen
through what it reports of its cluster view)."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcircle import tls_policy
from trustcircle.errors import ConfigurationError, LocalServerError
from trustcircle.local import cluster as cluster_module
from trustcircle.local.ca import ensure_tls
from trustcircle.local.cluster import ClusterConfig, LoadBalancer, LocalCluster


def test_every_port_is_distinct_and_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCIRCLE_CLUSTER_NODES", "3")
    config = ClusterConfig.from_env()
    nodes = [config.node(n) for n in (1, 2, 3)]
    ports = [config.port, config.postgres_port, config.smtp_port,
             *(p for n in nodes for p in (n.port, n.management_port, n.jgroups_port, n.jgroups_fd_port))]
    assert len(set(ports)) == len(ports) and all(1024 < p <= 65535 for p in ports), ports
    assert (config.port, nodes[0].port, nodes[0].management_port, config.postgres_port) == (28443, 28444, 29001, 25432)
    assert {n.host for n in nodes} == {"127.0.0.1"}


@pytest.mark.parametrize(("name", "value", "says"), [
    ("TRUSTCIRCLE_CLUSTER_NODES", "4", "2 or 3 nodes"),
    ("TRUSTCIRCLE_CLUSTER_NODES", "two", "invalid cluster setting"),
    ("TRUSTCIRCLE_CLUSTER_PORT", "65000", "would not fit"),
])
def test_a_bad_setting_says_what_and_how_to_fix(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                                 says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError) as refused:
        ClusterConfig.from_env()
    assert says in str(refused.value) and refused.value.hint


@pytest.fixture
def balancer(tmp_path: Path) -> tuple[LoadBalancer, str]:
    tls = ensure_tls(tmp_path / "tls", ["127.0.0.1", "localhost"])
    lb = LoadBalancer(tmp_path / "nginx", ClusterConfig())
    return lb, lb.render(tls, frozenset({"node-2"}))


def test_nginx_listens_on_loopback_with_the_tls_policy_and_verifies_the_nodes(
        balancer: tuple[LoadBalancer, str]) -> None:
    _, conf = balancer
    assert "listen 127.0.0.1:28443 ssl;" in conf and conf.count("listen ") == 1
    assert f"ssl_protocols {' '.join(tls_policy.PROTOCOLS)};" in conf
    assert f"ssl_ciphers {tls_policy.openssl_ciphers()};" in conf
    assert "proxy_ssl_verify on;" in conf and "ssl_verify_client optional;" in conf


def test_the_client_certificate_headers_are_nginx_own_never_a_client_s(balancer: tuple[LoadBalancer, str]) -> None:
    _, conf = balancer
    assert "proxy_set_header ssl-client-cert $ssl_client_escaped_cert;" in conf
    assert "proxy_set_header ssl-client-verify $ssl_client_verify;" in conf


def test_a_drained_node_gets_no_new_request(balancer: tuple[LoadBalancer, str]) -> None:
    _, conf = balancer
    assert "server 127.0.0.1:28444 max_fails=1 fail_timeout=5s;" in conf
    assert "server 127.0.0.1:28445 max_fails=1 fail_timeout=5s down;" in conf


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    tls = ensure_tls(tmp_path / "tls", ["127.0.0.1", "localhost"])
    LoadBalancer(tmp_path / "nginx", ClusterConfig())._write(tls, frozenset())  # runs nginx -t; raises if refused


class _Node:
    """A node as the join check sees it: running, and the members it reports."""

    def __init__(self, name: str, sees: int | None) -> None:
        self.name, self.sees, self.stopped = name, sees, False
        self.log_file = Path(f"/nowhere/{name}.log")

    def pid(self) -> int | None:
        return None if self.stopped else 1

    def cluster_size(self, ca: Path) -> int | None:
        return self.sees

    def stop(self) -> bool:
        self.stopped = True
        return True


@pytest.mark.parametrize("sees", [1, None])
def test_a_node_that_does_not_join_is_stopped_with_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        sees: int | None) -> None:
    monkeypatch.setattr(cluster_module, "JOIN_TIMEOUT_S", 0.2)
    monkeypatch.setenv("TRUSTCIRCLE_STATE", str(tmp_path / "state"))
    cluster = LocalCluster()
    alone, other = _Node("node-2", sees), _Node("node-1", 2)
    cluster.nodes = [other, alone]  # type: ignore[list-item]
    with pytest.raises(LocalServerError) as refused:
        cluster._check_joined(alone, ensure_tls(tmp_path / "tls", ["127.0.0.1"]))  # type: ignore[arg-type]
    assert f"node-2 started but did not join the cluster: it sees {sees} member(s), 2 nodes run" in str(refused.value)
    assert "trustcircle/ha.py" in refused.value.hint and alone.stopped and not other.stopped


def test_a_node_that_joins_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCIRCLE_STATE", str(tmp_path / "state"))
    cluster = LocalCluster()
    joined = _Node("node-2", 2)
    cluster.nodes = [_Node("node-1", 2), joined]  # type: ignore[list-item]
    cluster._check_joined(joined, ensure_tls(tmp_path / "tls", ["127.0.0.1"]))  # type: ignore[arg-type]
    assert not joined.stopped
