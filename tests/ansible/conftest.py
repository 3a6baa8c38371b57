"""The Ansible path's realms against the local federation's (the Pulumi path), on the host the
molecule scenario converged (molecule/default: converge, idempotence and the host checks with
testinfra). They run only after that scenario ran in the same session: scripts/test.sh (./run test)
exports TRUSTCIRCLE_ANSIBLE_CONVERGED=1 after scripts/ansible.sh check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ansible.it_host import ca_bundle, it_server, it_vars

__all__ = ["ca_bundle", "it_server", "it_vars"]  # fixtures, for the tests of this folder

HERE = Path(__file__).parent
CONVERGED_ENV = "TRUSTCIRCLE_ANSIBLE_CONVERGED"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    converged = os.environ.get(CONVERGED_ENV) == "1"
    for item in items:
        if Path(str(item.fspath)).is_relative_to(HERE):
            item.add_marker(pytest.mark.ansible)
            if not converged:
                item.add_marker(pytest.mark.skip(
                    reason=f"needs the Ansible-provisioned host: ./run test, or scripts/ansible.sh check "
                           f"then {CONVERGED_ENV}=1 with the exports of scripts/ansible.sh env"))
