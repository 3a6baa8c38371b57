"""Every pinned version agrees with versions.env and requirements.lock (one source of truth)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pulumi_kubernetes

from trustcircle.settings import REPO_ROOT, versions


def test_extension_pom_defaults_to_the_pinned_keycloak() -> None:
    pom = (REPO_ROOT / "extensions" / "pom.xml").read_text()
    match = re.search(r"<keycloak\.version>([^<]+)</keycloak\.version>", pom)
    assert match and match.group(1) == versions()["KEYCLOAK_VERSION"]


def test_go_tools_module_builds_the_pinned_pulumi() -> None:
    gomod = (REPO_ROOT / "scripts" / "toolchain" / "pulumi-tools" / "go.mod").read_text()
    pinned = re.findall(r"github\.com/pulumi/pulumi/(?:pkg|sdk)/v3 v([0-9.]+)", gomod)
    assert pinned and set(pinned) == {versions()["PULUMI_VERSION"]}


def _lock() -> dict[str, str]:
    pairs = {}
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pairs[name.lower().replace("_", "-")] = version
    return pairs


def test_python_sdk_matches_the_pulumi_cli() -> None:
    assert _lock()["pulumi"] == versions()["PULUMI_VERSION"]


def test_every_declared_python_dependency_is_locked() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["dev"]
    missing = [d for d in declared if d.lower().replace("_", "-") not in _lock()]
    assert missing == []


def test_the_kubernetes_sdk_asks_for_the_provider_plugin_that_is_built() -> None:
    # pulumi_kubernetes registers its resources with its own version: the engine then wants the plugin at
    # exactly that version, so the SDK, the plugin built by scripts/toolchain/pulumi-kubernetes.sh and
    # PULUMI_KUBERNETES_VERSION must be one release.
    pinned = versions()["PULUMI_KUBERNETES_VERSION"]
    assert _lock()["pulumi-kubernetes"] == pinned
    plugin = json.loads((Path(pulumi_kubernetes.__file__).parent / "pulumi-plugin.json").read_text())
    assert plugin == {"resource": True, "name": "kubernetes", "version": pinned}


def test_the_provider_module_pin_is_a_version_of_the_provider_module_with_its_checksum() -> None:
    # the proxy serves no tag of github.com/pulumi/pulumi-kubernetes/provider/v4: the pin is the tag
    # itself or the pseudo-version (v4.0.0-<commit time>-<commit>) of the commit tagged v<version>
    pin, pinned = versions()["PULUMI_KUBERNETES_PROVIDER_MODULE"], versions()["PULUMI_KUBERNETES_VERSION"]
    assert pin == f"v{pinned}" or re.fullmatch(r"v4\.0\.0-\d{14}-[0-9a-f]{12}", pin)
    assert re.fullmatch(r"h1:[A-Za-z0-9+/]{43}=", versions()["PULUMI_KUBERNETES_PROVIDER_MODULE_SUM"])


def test_the_docs_install_the_pinned_kubernetes_plugin() -> None:
    docs = (REPO_ROOT / "docs" / "kubernetes.md").read_text()
    named = re.findall(r"resource kubernetes v?([0-9][0-9.]*[0-9])", docs)
    assert named and set(named) == {versions()["PULUMI_KUBERNETES_VERSION"]}
