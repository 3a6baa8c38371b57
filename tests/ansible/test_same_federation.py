"""Same federation by both paths: every realm of realms/ as the Ansible path made it (the test host)
equals the realm the Pulumi path made (the local federation, `pulumi up` by ./run test), compared
as normalised partial exports. Any difference fails and is listed by key path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ansible.exports import Server, comparable, differences, normalise
from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target


def _realms() -> list[str]:
    objects = compile_federation(load_federation([REPO_ROOT / "realms"]), Environment(public_url="https://x"))
    return sorted({o.ref.realm for o in objects})


@pytest.fixture(scope="module")
def pulumi_server() -> tuple[Server, str]:
    target = Target.load()  # the local federation's
    username, password = target.credentials()
    return Server(target.url, target.ca_bundle, username, password), target.url


@pytest.mark.parametrize("realm", _realms())
def test_realm_equals_the_pulumi_paths(realm: str, it_server: Server, it_vars: dict[str, Any],
                                       pulumi_server: tuple[Server, str]) -> None:
    server, url = pulumi_server
    by_pulumi = normalise(comparable(server.export(realm)), url)
    by_ansible = normalise(comparable(it_server.export(realm)), it_vars["keycloak_server_hostname"])
    found = differences(by_pulumi, by_ansible)
    assert not found, f"realm {realm}: Pulumi path (first) and Ansible path (second) differ:\n" + "\n".join(found)
