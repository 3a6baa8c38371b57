"""Role inputs live in meta/argument_specs.yml; defaults/main.yml may only repeat their defaults
(Ansible does not apply argument_specs defaults), and tasks use no undeclared role variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from trustcircle.settings import REPO_ROOT

ROLES = sorted(p for p in (REPO_ROOT / "roles").iterdir() if (p / "meta" / "argument_specs.yml").exists())


def _specs(role: Path) -> dict[str, dict[str, object]]:
    options: dict[str, dict[str, object]] = yaml.safe_load(
        (role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    return options


def test_every_role_declares_its_inputs() -> None:
    assert [r.name for r in ROLES] == ["keycloak_database", "keycloak_extension", "keycloak_realms", "keycloak_server"]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_defaults_equal_the_declared_defaults(role: Path) -> None:
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}
    declared = {name: spec["default"] for name, spec in _specs(role).items() if "default" in spec}
    assert defaults == declared
    assert not [n for n, s in _specs(role).items() if s.get("required") and "default" in s]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_every_input_is_prefixed_and_described(role: Path) -> None:
    for name, spec in _specs(role).items():
        assert name.startswith(role.name + "_") and spec.get("description"), name


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_tasks_use_only_declared_or_registered_role_variables(role: Path) -> None:
    text = "\n".join(p.read_text() for p in role.rglob("*") if p.suffix in {".yml", ".j2"} and "meta" not in p.parts)
    used = set(re.findall(rf"\b{role.name}_[a-z0-9_]+", text))
    defined = set(_specs(role)) | set(re.findall(rf"^\s*(?:register:\s*)?({role.name}_[a-z0-9_]+):?", text, re.M))
    assert used - defined == set()


def test_the_roles_tls_policy_is_the_local_servers() -> None:
    """One TLS policy: the Ansible role's defaults and the local server's (trustcircle/tls_policy.py)."""
    from trustcircle import tls_policy

    defaults = yaml.safe_load((REPO_ROOT / "roles/keycloak_server/defaults/main.yml").read_text())
    assert tuple(defaults["keycloak_server_tls_protocols"]) == tls_policy.PROTOCOLS
    assert tuple(defaults["keycloak_server_tls_cipher_suites"]) == tls_policy.CIPHER_SUITES
    assert defaults["keycloak_server_tls_reload_period"] == tls_policy.CERTIFICATES_RELOAD_PERIOD
