"""The Pulumi-free apply path (for Ansible) reads the federation Pulumi applied and finds nothing to do:
both paths agree on what the desired state looks like in Keycloak."""

from __future__ import annotations

from typing import Any

import pytest

from trustcircle import ids
from trustcircle.compiler.desired import Ref
from trustcircle.errors import ConflictError, KeycloakApiError
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import converge
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.ownership import create
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


def test_an_object_that_appears_between_the_read_and_the_create_is_adopted_only_if_ours(target: Target) -> None:
    """A killed run's last POST can complete after the run is gone: the next run read the realm
    before it did, finds nothing, creates, and Keycloak answers 409. Ours (the marker): adopted and
    updated, never created twice. Someone else's: refused, not taken over."""
    realm = "cnaf"
    ours = Ref("group", realm, "/tc-test-appeared-ours")
    theirs = Ref("group", realm, "/tc-test-appeared-theirs")

    def spec(ref: Ref, **attributes: list[str]) -> dict[str, Any]:
        return {"name": ref.key[1:], "attributes": {ids.MANAGED_BY_ATTR: [ids.MANAGED_BY], **attributes},
                "clientRoles": {}}

    direct, stale = Admin(target), Admin(target, realm_views=True)
    handler = HANDLERS["group"]
    try:
        for ref in (ours, theirs):
            assert handler.read(stale, realm, ref.key, spec(ref)) is None  # the realm, read before it appears
        handler.create(direct, realm, ours.key, spec(ours))  # the killed run's create, with the marker
        direct.post(f"/{realm}/groups", {"name": theirs.key[1:]})  # no marker: made by hand

        create(stale, ours, spec(ours, **{"trustcircle.test": ["declared"]}))
        adopted = direct.get(f"/{realm}/groups?search=tc-test-appeared-ours&exact=true&briefRepresentation=false")
        assert len(adopted) == 1 and adopted[0]["attributes"]["trustcircle.test"] == ["declared"]

        with pytest.raises(KeycloakApiError, match="exists but was not made by trustcircle") as refused:
            create(stale, theirs, spec(theirs))
        assert isinstance(refused.value.__cause__, ConflictError)
        mine = direct.get(f"/{realm}/groups?search=tc-test-appeared-theirs&exact=true&briefRepresentation=false")
        assert len(mine) == 1 and not mine[0].get("attributes")  # left as its maker made it
    finally:
        for ref in (ours, theirs):
            found = direct.get(f"/{realm}/group-by-path/{ref.key[1:]}", missing_ok=True)
            if found:
                direct.delete(f"/{realm}/groups/{found['id']}")
