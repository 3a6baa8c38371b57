"""The Pulumi-free apply path (for Ansible) reads the federation Pulumi applied and finds nothing to do:
both paths agree on what the desired state looks like in Keycloak."""

from __future__ import annotations

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import converge
from trustcircle.local.target import Target
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT


def test_converge_finds_nothing_to_change_after_pulumi_up(target: Target, admin: Admin) -> None:
    objects = compile_federation(load_federation([REPO_ROOT / "realms"]), Environment(public_url=target.url))
    writes_before = admin.calls["POST"] + admin.calls["PUT"] + admin.calls["DELETE"]
    assert converge(admin, objects, dry_run=True) == []
    assert admin.calls["POST"] + admin.calls["PUT"] + admin.calls["DELETE"] == writes_before
