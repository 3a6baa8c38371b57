"""The Ansible test host (this machine, through tests/ansible/inventory) as pytest fixtures: its
inventory's variables, Keycloak home, CA bundle and admin API. Used by the molecule scenario's
verifier (molecule/default/tests: the host checks) and by tests/ansible (the same federation by
both paths); each conftest imports them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ansible.exports import Server
from trustcircle.settings import REPO_ROOT

INVENTORY = REPO_ROOT / "tests" / "ansible" / "inventory"


@pytest.fixture(scope="session")
def it_vars() -> dict[str, Any]:
    """The test inventory's literal group variables (ports, paths, names)."""
    loaded: dict[str, Any] = yaml.safe_load((INVENTORY / "group_vars" / "keycloak.yml").read_text())
    return loaded


@pytest.fixture(scope="session")
def it_home(it_vars: dict[str, Any]) -> str:
    from trustcircle.settings import versions

    return f"{it_vars['trustcircle_it_base']}/keycloak/keycloak-{versions()['KEYCLOAK_VERSION']}"


@pytest.fixture(scope="session")
def ca_bundle() -> Path:
    from trustcircle.settings import Paths

    return Paths.from_env().local / "tls" / "ca.pem"


@pytest.fixture(scope="session")
def it_server(it_vars: dict[str, Any], ca_bundle: Path) -> Server:
    """The admin API of the Ansible-provisioned Keycloak (password from the environment)."""
    return Server(it_vars["keycloak_server_hostname"], ca_bundle, "tc-admin",
                  os.environ["TRUSTCIRCLE_IT_ADMIN_PASSWORD"])
