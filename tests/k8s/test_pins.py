"""The k8s stack's pins agree with versions.env and requirements.lock (one source of truth)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import kubernetes_validate

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
