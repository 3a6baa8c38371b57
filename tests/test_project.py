"""Projection of Keycloak's answers onto the managed fields (pure logic)."""

from __future__ import annotations

from trustcircle.keycloak.project import changed_fields, project


def test_fields_keycloak_adds_are_ignored_and_lists_compare_unordered() -> None:
    desired = {"enabled": True, "redirectUris": ["b", "a"], "attributes": {"x": "1"}}
    current = {"enabled": "true", "redirectUris": ["a", "b"], "attributes": {"x": "1", "y": "2"}, "id": "42"}
    observed = project(current, desired)
    assert observed == {"enabled": True, "redirectUris": ["a", "b"], "attributes": {"x": "1"}}
    assert changed_fields(observed, desired) == []


def test_a_mapper_added_by_hand_is_drift() -> None:
    desired = {"protocolMappers": [{"name": "m1", "config": {"a": "1"}}]}
    current = {"protocolMappers": [{"name": "m1", "config": {"a": "1"}, "id": "x"}, {"name": "rogue", "config": {}}]}
    observed = project(current, desired)
    assert observed["protocolMappers"][-1] == {"name": "rogue", "unmanaged": True}
    assert changed_fields(observed, desired) == ["protocolMappers"]


def test_a_changed_managed_value_is_reported() -> None:
    desired = {"attributes": {"x": "1"}, "name": "n"}
    assert changed_fields(project({"attributes": {"x": "2"}, "name": "n"}, desired), desired) == ["attributes"]


def test_a_mapper_present_twice_is_drift() -> None:
    desired = {"mappers": [{"name": "email", "config": {"a": "1"}}]}
    current = {"mappers": [{"name": "email", "config": {"a": "1"}, "id": "x"},
                           {"name": "email", "config": {"a": "1"}, "id": "y"}]}
    assert changed_fields(project(current, desired), desired) == ["mappers"]
    assert changed_fields(project({"mappers": current["mappers"][:1]}, desired), desired) == []


def test_lists_of_mappings_compare_whatever_the_order_of_their_keys() -> None:
    desired = {"executions": [{"provider": "b", "requirement": "REQUIRED"}, {"provider": "a", "requirement": "X"}]}
    shuffled = {"executions": [{"requirement": "X", "provider": "a"}, {"requirement": "REQUIRED", "provider": "b"}]}
    assert changed_fields(shuffled, desired) == []


def test_an_attribute_wanted_empty_is_met_by_its_absence() -> None:
    """Keycloak drops an attribute set empty (how a SAML client's generated key pair is removed)."""
    desired = {"attributes": {"saml.signing.private.key": ""}}
    assert changed_fields(project({"attributes": {}}, desired), desired) == []
    assert changed_fields(project({"attributes": {"saml.signing.private.key": "MIIE"}}, desired), desired) == \
        ["attributes"]
