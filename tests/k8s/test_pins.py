"""The k8s stack's pins agree with versions.env and requirements.lock (one source of truth)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import kubernetes_validate
import pytest

from trustcircle.settings import REPO_ROOT, versions


def test_the_kubernetes_sdk_is_the_pinned_provider_version() -> None:
    lock = (REPO_ROOT / "requirements.lock").read_text()
    assert f"pulumi_kubernetes=={versions()['PULUMI_KUBERNETES_VERSION']}" in lock
    assert version("pulumi_kubernetes") == versions()["PULUMI_KUBERNETES_VERSION"]


def test_the_schema_of_the_pinned_kubernetes_is_bundled() -> None:
    schemas = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    assert (schemas / f"v{versions()['KUBERNETES_VERSION']}-local-strict").is_dir()


def test_the_api_server_tools_module_builds_the_pinned_kubernetes() -> None:
    gomod = (REPO_ROOT / "scripts" / "toolchain" / "kube-apiserver-tools" / "go.mod").read_text()
    minor = versions()["KUBERNETES_VERSION"].split(".", 1)[1]
    assert re.search(rf"k8s\.io/kubernetes v1\.{re.escape(minor)}\b", gomod)
    staged = re.findall(r"=> (k8s\.io/\S+) v0\.(\S+)", gomod)
    assert staged and {v for _, v in staged} == {minor}


def test_postgres_is_pinned_to_a_release() -> None:
    assert re.fullmatch(r"\d+\.\d+", versions()["POSTGRES_VERSION"])


def _plugin_script(tmp_path: Path, **pins: str) -> subprocess.CompletedProcess[str]:
    """scripts/toolchain/pulumi-kubernetes.sh ensure, from a copy of the tree whose versions.env has ``pins``
    changed, with a cache of its own."""
    tree = tmp_path / "tree"
    (tree / "scripts" / "toolchain").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "scripts" / "toolchain" / "pulumi-kubernetes.sh", tree / "scripts" / "toolchain")
    env_file = (REPO_ROOT / "versions.env").read_text()
    for key, value in pins.items():
        env_file = re.sub(rf"^{key}=.*$", f"{key}={value}", env_file, flags=re.M)
    (tree / "versions.env").write_text(env_file)
    return subprocess.run(["bash", str(tree / "scripts" / "toolchain" / "pulumi-kubernetes.sh"), "ensure"],
                          env={**os.environ, "TRUSTCIRCLE_CACHE": str(tmp_path / "cache")},
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_plugin_build_refuses_a_pin_that_is_no_version_before_any_download(tmp_path: Path) -> None:
    result = _plugin_script(tmp_path, PULUMI_KUBERNETES_PROVIDER_MODULE="latest")
    assert result.returncode == 1
    assert "PULUMI_KUBERNETES_PROVIDER_MODULE in versions.env is 'latest'" in result.stderr
    assert "how to fix:" in result.stderr and "go mod download" not in result.stderr
    assert not (tmp_path / "cache" / "pulumi-kubernetes").exists()


@pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain: the plugin build needs one")
@pytest.mark.timeout(600)
def test_the_plugin_build_refuses_a_module_whose_checksum_is_not_the_pinned_one(tmp_path: Path) -> None:
    wrong = "h1:" + "A" * 43 + "="
    result = _plugin_script(tmp_path, PULUMI_KUBERNETES_PROVIDER_MODULE_SUM=wrong)
    assert result.returncode == 1, result.stderr
    assert f"versions.env pins {wrong}" in result.stderr
    assert "[2/5]" not in result.stderr  # nothing copied, generated or built
    assert list((tmp_path / "cache" / "pulumi-kubernetes").iterdir()) == [
        tmp_path / "cache" / "pulumi-kubernetes" / f".lock-{versions()['PULUMI_KUBERNETES_VERSION']}"]
