"""``pulumi preview --stack k8s`` for real: the pinned Pulumi CLI runs the program of Pulumi.k8s.yaml with
the Kubernetes provider plugin that scripts/toolchain/pulumi-kubernetes.sh builds, against the throw-away
API server (the ``server`` fixture), as ``./run pulumi preview --stack k8s`` does with a cluster: the
provider reads the ambient kubeconfig (KUBECONFIG). Each preview runs on a copy of the project files in a
temporary directory (``stack init`` writes a passphrase salt into the stack file), with its own state
backend and PULUMI_HOME, into which the plugin is installed the way scripts/lib.sh installs it.

Needs the plugin's directory in TRUSTCIRCLE_PULUMI_KUBERNETES_BIN and ``pulumi`` on PATH (scripts/test.sh
provides both), the API server (TRUSTCIRCLE_KUBE_APISERVER_BIN) and the built extension (./run setup);
skipped without them, saying which is missing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.k8s.conftest import Manifests
from trustcircle.k8s.dryrun import PLURALS, TOKEN, ApiServer
from trustcircle.settings import REPO_ROOT, versions

PLUGIN_BIN = os.environ.get("TRUSTCIRCLE_PULUMI_KUBERNETES_BIN", "")
PLUGIN = "pulumi-resource-kubernetes"
VERSION = versions()["PULUMI_KUBERNETES_VERSION"]
TIMEOUT_S = 600
# never this machine's own Pulumi state, credentials or cluster
PRIVATE = ("PULUMI_HOME", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE",
           "PULUMI_ACCESS_TOKEN", "KUBECONFIG", "PULUMI_IGNORE_AMBIENT_PLUGINS")


@dataclass
class Preview:
    returncode: int
    report: dict[str, Any]  # pulumi preview --json
    output: str             # stdout and stderr, as printed

    @property
    def messages(self) -> str:
        """Every diagnostic message of the report (unescaped), then stderr: what a person reads."""
        return "".join(d["message"] for d in self.report.get("diagnostics", [])) + self.output

    def planned(self) -> set[tuple[str, str, str, str]]:
        """(apiVersion, kind, namespace, name) of every Kubernetes object the preview plans to create."""
        objects = set()
        for step in self.report.get("steps", []):
            state = step["newState"]
            if state["type"].startswith("kubernetes:"):
                assert step["op"] == "create", step["urn"]
                inputs = state["inputs"]
                meta = inputs["metadata"]
                objects.add((inputs["apiVersion"], inputs["kind"], meta.get("namespace", ""), meta["name"]))
        return objects

    def problems(self) -> list[str]:
        return [d["message"] for d in self.report.get("diagnostics", [])
                if d.get("severity") in ("warning", "error")]


def declared(docs: Manifests) -> set[tuple[str, str, str, str]]:
    return {(d["apiVersion"], d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"]) for d in docs}


def applies(server: ApiServer) -> Counter[tuple[str, str]]:
    """(resource, HTTP status) of each server-side apply dry run the API server has answered so far, from its
    own request counter: what shows that the provider did send the objects (with no cluster reachable it
    skips them, and the preview still exits 0)."""
    counts: Counter[tuple[str, str]] = Counter()
    for line in server.request("GET", "/metrics").text.splitlines():
        if line.startswith("apiserver_request_total{"):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line[:line.rindex("}")]))
            if labels.get("verb") == "APPLY" and labels.get("dry_run") == "All":
                counts[(labels["resource"], labels["code"][0] + "xx")] += int(float(line.rsplit(" ", 1)[1]))
    return counts


def sent(docs: Manifests, namespace_exists: bool) -> Counter[tuple[str, str]]:
    """The dry runs a preview of ``docs`` makes: every object accepted when its namespace is there, else the
    Namespace accepted and every object in it answered 404 (namespace not found: skipped until ``up``)."""
    return Counter((PLURALS[d["kind"]], "2xx" if namespace_exists or d["kind"] == "Namespace" else "4xx")
                   for d in docs)


def _env(home: Path) -> dict[str, str]:
    """This process's environment without the private Pulumi/Kubernetes settings, with no plugin on PATH
    (the plugin must come from PULUMI_HOME) and this Python first (the program's interpreter)."""
    env = {k: v for k, v in os.environ.items() if k not in PRIVATE}
    path = [d for d in env.get("PATH", "").split(os.pathsep) if d and not (Path(d) / PLUGIN).exists()]
    env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), *path]), PULUMI_HOME=str(home),
               PULUMI_SKIP_UPDATE_CHECK="true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
               PULUMI_CONFIG_PASSPHRASE="preview-only",
               PYTHONPATH=os.pathsep.join([str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]))
    return env


@pytest.fixture(scope="module")
def plugin_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A PULUMI_HOME with the built plugin installed by scripts/lib.sh's tc_pulumi_kubernetes_install."""
    if not PLUGIN_BIN or not (Path(PLUGIN_BIN) / PLUGIN).is_file():
        pytest.skip("no Kubernetes provider plugin: run scripts/toolchain/pulumi-kubernetes.sh ensure and set "
                    "TRUSTCIRCLE_PULUMI_KUBERNETES_BIN to the directory it prints (scripts/test.sh does)")
    if shutil.which("pulumi") is None:
        pytest.skip("no pulumi on PATH: run through ./run (scripts/toolchain/pulumi.sh ensure prints its directory)")
    if not (REPO_ROOT / "extensions" / "target" / "SHA256SUMS").is_file():
        pytest.skip("the extension is not built (the k8s stack ships its jars): ./run setup")
    home = tmp_path_factory.mktemp("pulumi-home")
    script = 'source "$1/scripts/lib.sh" && tc_pulumi_kubernetes_install "$2"'
    result = subprocess.run(["bash", "-c", script, "install", str(REPO_ROOT), PLUGIN_BIN], env=_env(home),
                            capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (home / "plugins" / f"resource-kubernetes-v{VERSION}" / PLUGIN).is_file()
    return home


@pytest.fixture
def preview(tmp_path: Path, server: ApiServer) -> Callable[..., Preview]:
    """``preview(home, **k8s_overrides)``: pulumi preview --stack k8s of Pulumi.k8s.yaml, changed, on ``server``."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "throwaway",
        # its certificate is self-signed, on loopback (as in trustcircle.k8s.dryrun)
        "clusters": [{"name": "throwaway", "cluster": {"server": server.url, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "preview", "user": {"token": TOKEN}}],
        "contexts": [{"name": "throwaway", "context": {"cluster": "throwaway", "user": "preview"}}]}))
    count = 0

    def run(home: Path, **overrides: Any) -> Preview:
        nonlocal count
        count += 1
        project = tmp_path / f"project-{count}"
        project.mkdir()
        for name in ("Pulumi.yaml", "__main__.py"):
            shutil.copy(REPO_ROOT / name, project / name)
        stack_file = yaml.safe_load((REPO_ROOT / "Pulumi.k8s.yaml").read_text())
        k8s = stack_file["config"]["trustcircle:k8s"]
        for key, value in overrides.items():
            if isinstance(value, dict):
                k8s.setdefault(key, {}).update(value)
            else:
                k8s[key] = value
        (project / "Pulumi.k8s.yaml").write_text(yaml.safe_dump(stack_file))
        backend = tmp_path / f"backend-{count}"
        backend.mkdir()
        env = {**_env(home), "PULUMI_BACKEND_URL": f"file://{backend}", "KUBECONFIG": str(kubeconfig)}

        def pulumi(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(["pulumi", *args, "--stack", "k8s", "--non-interactive"], cwd=project, env=env,
                                  capture_output=True, text=True, timeout=TIMEOUT_S, check=False)

        init = pulumi("stack", "init")
        assert init.returncode == 0, init.stdout + init.stderr
        result = pulumi("preview", "--json")
        try:
            report = json.loads(result.stdout)
        except json.JSONDecodeError:
            report = {}
        return Preview(result.returncode, report, result.stdout + result.stderr)

    return run


def _namespace(server: ApiServer, name: str) -> None:
    """The namespace created for real (the only object that is), as the operator's cluster may have it."""
    created = server.request("POST", "/api/v1/namespaces", {
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}})
    assert created.status_code in (201, 409), created.text


@pytest.mark.timeout(900)
def test_the_preview_of_an_empty_cluster_plans_every_declared_object_and_exits_0(
        preview: Callable[..., Preview], plugin_home: Path, render_stack: Callable[..., Manifests],
        server: ApiServer) -> None:
    before = applies(server)
    result = preview(plugin_home)
    assert result.returncode == 0, result.output[-4000:]
    assert result.problems() == []
    assert result.planned() == declared(render_stack())
    assert applies(server) - before == sent(render_stack(), namespace_exists=False)
    kinds = {kind for _, kind, _, _ in result.planned()}
    assert {"Namespace", "Deployment", "StatefulSet", "Service", "Ingress", "NetworkPolicy", "ConfigMap",
            "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount"} <= kinds
    providers = [s for s in result.report["steps"] if s["newState"]["type"] == "pulumi:providers:kubernetes"]
    assert [p["newState"]["inputs"]["version"] for p in providers] == [VERSION]


@pytest.mark.timeout(900)
def test_every_object_passes_the_api_servers_dry_run_when_the_namespace_exists(
        preview: Callable[..., Preview], plugin_home: Path, render_stack: Callable[..., Manifests],
        server: ApiServer) -> None:
    # With its namespace there, the provider sends each object to the server (server-side apply, dry
    # run): the server's validation and defaulting pass on every one, not only on the Namespace.
    _namespace(server, "trustcircle-existing")
    before = applies(server)
    result = preview(plugin_home, namespace="trustcircle-existing")
    assert result.returncode == 0, result.output[-4000:]
    assert result.problems() == []
    docs = render_stack(namespace="trustcircle-existing")
    assert result.planned() == declared(docs)
    assert applies(server) - before == sent(docs, namespace_exists=True)


@pytest.mark.timeout(900)
@pytest.mark.parametrize(("namespace", "overrides", "refused"), [
    # a namespace name that is no DNS label: refused on an empty cluster (the Namespace is sent first)
    ("", {"namespace": "Trust_Circle"}, 'Namespace "Trust_Circle" is invalid: metadata.name'),
    # a host name with an underscore and capitals: the Ingress refused
    ("trustcircle-bad-host", {"namespace": "trustcircle-bad-host", "ingress": {"hostname": "Keycloak_Example.org"}},
     'Ingress.networking.k8s.io "trustcircle-keycloak" is invalid: [spec.rules[0].host: Invalid value'),
], ids=["bad-namespace", "bad-ingress-host"])
def test_a_manifest_the_api_server_refuses_fails_the_preview_with_the_servers_reason(
        preview: Callable[..., Preview], plugin_home: Path, server: ApiServer,
        namespace: str, overrides: dict[str, Any], refused: str) -> None:
    if namespace:
        _namespace(server, namespace)
    result = preview(plugin_home, **overrides)
    assert result.returncode != 0
    assert "was not successfully created by the Kubernetes API server" in result.messages, result.messages[-4000:]
    assert refused in result.messages


@pytest.mark.timeout(900)
def test_a_missing_plugin_is_one_clear_error_and_no_download_attempt(
        preview: Callable[..., Preview], plugin_home: Path, tmp_path: Path) -> None:
    empty_home = tmp_path / "no-plugin-home"
    empty_home.mkdir()
    result = preview(empty_home)
    assert result.returncode != 0
    expected = f"no resource plugin '{PLUGIN}' found in the workspace at version v{VERSION} or on your $PATH"
    assert expected in result.messages, result.messages[-4000:]
    assert "download" not in result.messages.lower()
