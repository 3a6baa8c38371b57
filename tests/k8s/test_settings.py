"""``trustcircle:k8s`` is checked at the boundary; mistakes name their key."""

from __future__ import annotations

import runpy
from collections.abc import Callable

import pytest

from tests.k8s.conftest import Manifests, base_config, one
from trustcircle.errors import ConfigurationError
from trustcircle.k8s import render
from trustcircle.k8s.settings import parse
from trustcircle.settings import REPO_ROOT, versions


def test_the_stack_file_is_valid_and_matches_the_defaults() -> None:
    assert parse(base_config()["trustcircle:k8s"]) == parse({})


def test_an_unknown_key_is_named() -> None:
    with pytest.raises(ConfigurationError, match=r"trustcircle:k8s\.keycloak\.replicas"):
        parse({"keycloak": {"replicas": 3}})


def test_a_single_keycloak_replica_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="minReplicas"):
        parse({"keycloak": {"minReplicas": 1}})


def test_an_external_database_needs_its_host() -> None:
    with pytest.raises(ConfigurationError, match=r"database\.host"):
        parse({"database": {"mode": "external"}})


def test_images_carry_the_pinned_versions(manifests: Manifests) -> None:
    keycloak = one(manifests, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]["containers"][0]
    postgres = one(manifests, "StatefulSet", "trustcircle-postgres")["spec"]["template"]["spec"]["containers"][0]
    assert keycloak["image"].endswith(f":{versions()['KEYCLOAK_VERSION']}")
    assert postgres["image"].endswith(f":{versions()['POSTGRES_VERSION']}")


def test_more_agents_more_pods(render_stack: Callable[..., Manifests]) -> None:
    small = one(render_stack(), "Deployment", "trustcircle-keycloak")["spec"]["replicas"]
    large = one(render_stack(workload={"agents": 100_000}), "Deployment", "trustcircle-keycloak")["spec"]["replicas"]
    assert large > small


def test_main_dispatches_on_the_platform(render_stack: Callable[..., Manifests],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """__main__.py builds the cluster for trustcircle:platform k8s (the local stack's path is unchanged)."""
    ran: list[str] = []
    monkeypatch.setattr("trustcircle.k8s.program.build", lambda config: ran.append("k8s") or _Cluster())
    monkeypatch.setattr("trustcircle.deploy.program.build", lambda config: ran.append("local") or _Federation())
    monkeypatch.setattr("pulumi.export", lambda *args: None)
    for platform, expected in (("k8s", "k8s"), ("", "local")):
        monkeypatch.setattr(render.pulumi.Config, "get", lambda self, key, p=platform: p or None)
        runpy.run_path(str(REPO_ROOT / "__main__.py"))
        assert ran.pop() == expected


class _Cluster:
    url = "https://keycloak.example.org"


class _Federation:
    object_count = 0
