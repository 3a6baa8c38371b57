"""The k8s stack rendered under Pulumi mocks: no cluster, no provider plugin, no Keycloak."""

from __future__ import annotations

import copy
import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from trustcircle.k8s import extension, program, render
from trustcircle.k8s.dryrun import ApiServer, api_server
from trustcircle.settings import REPO_ROOT

Manifests = list[dict[str, Any]]
ADMIN_PASSWORD = "admin-Pw-that-must-never-leak-1"
DB_PASSWORD = "db-Pw-that-must-never-leak-2"


def fake_extensions(root: Path) -> Path:
    """An extensions/ tree with two small jars and their SHA256SUMS, as the build writes it."""
    lines = []
    for name in ("convention-gate", "audit-listener"):
        jar = root / name / "target" / f"trustcircle-{name}-0.1.0.jar"
        jar.parent.mkdir(parents=True, exist_ok=True)
        jar.write_bytes(f"PK fake {name}".encode())
        lines.append(f"{hashlib.sha256(jar.read_bytes()).hexdigest()}  {name}/target/{jar.name}\n")
    (root / "target").mkdir(exist_ok=True)
    (root / "target" / extension.SUMS).write_text("".join(lines))
    return root


def base_config() -> dict[str, Any]:
    return render.stack_config(REPO_ROOT / "Pulumi.k8s.yaml")


@pytest.fixture
def render_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Manifests]:
    """``render_stack(**k8s_overrides, secrets=False)``: the manifests of Pulumi.k8s.yaml, changed."""
    ext = fake_extensions(tmp_path / "extensions")
    monkeypatch.setattr(program, "read_jars", lambda _root: extension.read_jars(ext))

    def run(secrets: bool = False, **overrides: Any) -> Manifests:
        config = copy.deepcopy(base_config())
        k8s = config["trustcircle:k8s"]
        for key, value in overrides.items():
            if isinstance(value, dict):
                k8s.setdefault(key, {}).update(value)
            else:
                k8s[key] = value
        if secrets:
            config["trustcircle:keycloakAdminPassword"] = ADMIN_PASSWORD
            config["trustcircle:databasePassword"] = DB_PASSWORD
        return render.render(config)

    return run


@pytest.fixture(scope="module")
def server() -> Iterator[ApiServer]:
    """A throw-away API server (etcd + kube-apiserver on loopback ports) for the tests of one module."""
    bindir = os.environ.get("TRUSTCIRCLE_KUBE_APISERVER_BIN", "")
    if not bindir or not (Path(bindir) / "kube-apiserver").is_file():
        pytest.skip("no API server: run scripts/toolchain/kube-apiserver.sh ensure and set "
                    "TRUSTCIRCLE_KUBE_APISERVER_BIN to the directory it prints (scripts/test.sh does)")
    with api_server(Path(bindir)) as running:
        yield running


@pytest.fixture
def manifests(render_stack: Callable[..., Manifests]) -> Manifests:
    return render_stack()


def by_kind(docs: Manifests, kind: str) -> Manifests:
    return [d for d in docs if d["kind"] == kind]


def one(docs: Manifests, kind: str, name: str) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_templates(docs: Manifests) -> list[tuple[str, dict[str, Any]]]:
    return [(f"{d['kind']}/{d['metadata']['name']}", d["spec"]["template"])
            for d in docs if d["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job")]


def containers(template: dict[str, Any]) -> list[dict[str, Any]]:
    spec = template["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]
