"""The Ansible path's tests: the host scripts/ansible.sh provisioned (this machine, through
tests/ansible/inventory) checked with testinfra, its idempotence recaps, and its realms against the
local federation's (the Pulumi path). They run only after the playbooks ran in the same session:
scripts/test.sh (./run test) exports TRUSTCIRCLE_ANSIBLE_CONVERGED=1 after scripts/ansible.sh check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ansible.exports import Server
from trustcircle.settings import REPO_ROOT

HERE = Path(__file__).parent
CONVERGED_ENV = "TRUSTCIRCLE_ANSIBLE_CONVERGED"
REPORTS = REPO_ROOT / "reports" / "ansible"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    converged = os.environ.get(CONVERGED_ENV) == "1"
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.ansible)
            if not converged:
                item.add_marker(pytest.mark.skip(
                    reason=f"needs the Ansible-provisioned host: ./run test, or scripts/ansible.sh check "
                           f"then {CONVERGED_ENV}=1 with the exports of scripts/ansible.sh env"))


@pytest.fixture(scope="session")
def it_vars() -> dict[str, Any]:
    """The test inventory's literal group variables (ports, paths, names)."""
    loaded: dict[str, Any] = yaml.safe_load((HERE / "inventory" / "group_vars" / "keycloak.yml").read_text())
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
