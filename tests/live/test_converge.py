"""The Pulumi-free apply path (for Ansible) reads the federation Pulumi applied and finds nothing to do:
both paths agree on what the desired state looks like in Keycloak."""

from __future__ import annotations

from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import converge
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.pipeline import desired_state_of
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target


def test_converge_finds_nothing_to_change_after_pulumi_up(target: Target, admin: Admin) -> None:
    state = desired_state_of(REPO_ROOT / "realms")
    before = dict(admin.calls)
    assert converge(admin, state.objects, state.federation, dry_run=True) == []
    assert admin.calls["PUT"] + admin.calls["DELETE"] == before["PUT"] + before["DELETE"]
    # POSTs are reads here: one partial export per realm of the federation (what it owns there)
    assert admin.calls["POST"] - before["POST"] == len({o.ref.realm for o in state.objects})


def test_whole_realm_reads_equal_object_by_object_reads(target: Target) -> None:
    """Handlers read a realm in one call when they can; it must not change what they see."""
    objects = desired_state_of(REPO_ROOT / "realms").objects
    direct, whole = Admin(target), Admin(target, realm_views=True)
    for obj in objects:
        handler = HANDLERS[obj.ref.kind]
        assert handler.read(whole, obj.ref.realm, obj.ref.key, obj.spec) == \
            handler.read(direct, obj.ref.realm, obj.ref.key, obj.spec), obj.ref.name
    assert whole.calls["GET"] + whole.calls["POST"] <= 3 * len({o.ref.realm for o in objects})
    assert whole.calls["PUT"] + whole.calls["DELETE"] == 0


def test_a_no_op_converge_reads_each_realm_a_constant_number_of_times(target: Target) -> None:
    state = desired_state_of(REPO_ROOT / "realms")
    admin = Admin(target, realm_views=True)
    assert converge(admin, state.objects, state.federation) == []
    realms = len({o.ref.realm for o in state.objects})
    profiles = len([o for o in state.objects if o.ref.kind == "user_profile"])
    # per realm: the realm, its user profile and one whole-realm export, whatever the number of objects;
    # and once the server's list of realms (which realms are the federation's: ownership)
    assert admin.calls == {"GET": realms + profiles + 1, "POST": realms, "PUT": 0, "DELETE": 0}
