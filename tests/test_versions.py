"""Every pinned version agrees with versions.env and requirements.lock (one source of truth)."""

from __future__ import annotations

import re
import tomllib

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
