"""What `pulumi preview` shows of an object (pure): per-field changes, sets diffed by element,
dates as realms/ writes them, no secret; and when the provider lets the engine list the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from trustcircle import ids
from trustcircle.compiler import dates
from trustcircle.deploy.federation import KINDS, UNTYPED
from trustcircle.deploy.fields import HIDDEN, readable
from trustcircle.deploy.provider import SPEC, diff_of, refreshed

PARIS = ZoneInfo("Europe/Paris")


def _group(rubriques: list[str], until: dt.date) -> dict[str, Any]:
    return {"name": "cdap", "attributes": {ids.CONVENTION_VALID_FROM_ATTR: [dates.first_instant(dt.date(2026, 1, 1),
                                                                                                 PARIS)],
                                           ids.CONVENTION_VALID_UNTIL_ATTR: [dates.end_instant(until, PARIS)]},
            "clientRoles": {"urn:trustcircle:sp:cdap": rubriques}}


def _changed(old: Any, new: Any, path: str = "") -> list[str]:
    """Leaf paths whose values differ, the way Pulumi compares maps (by key) and lists (by index)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [p for k in sorted(old.keys() | new.keys()) for p in _changed(old.get(k), new.get(k), f"{path}.{k}")]
    if isinstance(old, list) and isinstance(new, list):
        return [p for i in range(max(len(old), len(new)))
                for p in _changed(old[i] if i < len(old) else None, new[i] if i < len(new) else None, f"{path}[{i}]")]
    return [] if old == new else [path]


def test_removing_one_rubrique_reads_as_that_rubrique_removed() -> None:
    before = readable(_group(["adresse", "dossier", "droits", "rsa"], dt.date(2028, 12, 31)), PARIS)
    after = readable(_group(["dossier", "droits", "rsa"], dt.date(2028, 12, 31)), PARIS)
    assert _changed(before, after) == [".clientRoles.urn:trustcircle:sp:cdap.adresse"]


def test_validity_dates_read_as_written_in_realms_summer_and_winter() -> None:
    for until in (dt.date(2028, 12, 31), dt.date(2028, 6, 30)):
        shown = readable(_group(["rsa"], until), PARIS)["attributes"]
        assert shown == {ids.CONVENTION_VALID_FROM_ATTR: "2026-01-01",
                         ids.CONVENTION_VALID_UNTIL_ATTR: until.isoformat()}
    client = readable({"attributes": {ids.CONVENTION_VALID_UNTIL_ATTR: "2028-06-30T22:00:00Z"}}, PARIS)
    assert client["attributes"][ids.CONVENTION_VALID_UNTIL_ATTR] == "2028-06-30"
    assert dates.written("not a date", PARIS, end=False) == "not a date"


def test_mappers_are_keyed_by_name_and_ordered_lists_stay_lists() -> None:
    mappers = [{"name": "b", "config": {"x": "1"}}, {"name": "a", "config": {"x": "2"}}]
    assert readable({"protocolMappers": mappers}, PARIS) == {"protocolMappers": {"b": {"config": {"x": "1"}},
                                                                                  "a": {"config": {"x": "2"}}}}
    swapped = readable({"protocolMappers": mappers[::-1], "redirectUris": ["u2", "u1"]}, PARIS)
    assert _changed(readable({"protocolMappers": mappers, "redirectUris": ["u1", "u2"]}, PARIS), swapped) == []
    steps = [{"provider": "cookie"}, {"provider": "otp"}]
    assert readable({"executions": steps}, PARIS) == {"executions": steps}


def test_no_secret_value_is_shown() -> None:
    spec = {"secret": "s3cr3t", "smtpServer": {"password": "pw", "host": "h"}, "passwordPolicy": "length(8)",
            "attributes": {"saml.signing.private.key": "MIIE...", "saml.signing.certificate": "MIIC..."}}
    shown = readable(spec, PARIS)
    assert shown["secret"] == shown["smtpServer"]["password"] == HIDDEN
    assert shown["attributes"]["saml.signing.private.key"] == HIDDEN
    assert shown["passwordPolicy"] == "length(8)" and shown["attributes"]["saml.signing.certificate"] == "MIIC..."
    assert "s3cr3t" not in repr(shown) and "pw'" not in repr(shown)


IDENTITY = {"kind": "group", "realm": "cnaf", "key": "/cd33/cdap", "url": "https://kc"}
APPLIED = {"name": "cdap", "path": "/cd33/cdap"}


@pytest.mark.parametrize(("olds", "news", "changes"), [
    ({**IDENTITY, "spec": APPLIED, SPEC: APPLIED}, {**IDENTITY, SPEC: APPLIED}, False),  # nothing to do
    ({**IDENTITY, "spec": APPLIED, SPEC: APPLIED}, {**IDENTITY, SPEC: {**APPLIED, "name": "x"}}, None),  # realms/
    ({**IDENTITY, "spec": {**APPLIED, "name": "hand"}, SPEC: APPLIED}, {**IDENTITY, SPEC: APPLIED}, True),  # drift
    ({**IDENTITY, "spec": APPLIED}, {**IDENTITY, SPEC: {**APPLIED, "name": "x"}}, True),  # state from before
])
def test_the_engine_lists_the_fields_only_when_realms_changed(olds: dict[str, Any], news: dict[str, Any],
                                                               changes: bool | None) -> None:
    result = diff_of(olds, news)
    assert (result.changes, result.replaces) == (changes, [])


def test_another_key_is_another_object() -> None:
    result = diff_of({**IDENTITY, "spec": APPLIED, SPEC: APPLIED}, {**IDENTITY, "key": "/x", SPEC: APPLIED})
    assert result.changes is True and result.replaces == ["key"]


def test_state_from_before_learns_what_was_applied_only_without_drift() -> None:
    old = {**IDENTITY, "spec": APPLIED}
    assert refreshed(old, APPLIED)[SPEC] == APPLIED
    assert SPEC not in refreshed(old, {**APPLIED, "name": "hand"})
    assert refreshed({**old, SPEC: {"name": "kept"}}, APPLIED)[SPEC] == {"name": "kept"}


def test_each_object_is_typed_by_its_keycloak_kind_and_was_untyped_before() -> None:
    assert KINDS["identity_provider"]._resource_type_name == "dynamic/keycloak:IdentityProvider"
    assert KINDS["client"]._resource_type_name == "dynamic/keycloak:Client"
    assert UNTYPED == "pulumi-python:dynamic:Resource"
