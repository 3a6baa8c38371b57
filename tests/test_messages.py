"""Findings in the user's words, all in one run, causes before consequences, and nothing that only
follows from a broken file."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustcircle.model.issues import Issue, ValidationFailed
from trustcircle.model.loader import load_federation

CONVENTION = "conventions/cnaf-cd33.yaml"


def _edit(realms: Path, rel: str, *pairs: tuple[str, str]) -> None:
    path = realms / rel
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")


def _issues(realms: Path) -> list[Issue]:
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms])
    return caught.value.issues


def _one(realms: Path, rule: str) -> Issue:
    found = [i for i in _issues(realms) if i.rule == rule]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("old", "new", "message", "hint"), [
    ("prepared_on: 2025-12-01", "prepared_on: 2025-13-01", "'2025-13-01' is not a date", "YYYY-MM-DD"),
    ("prepared_on: 2025-12-01", "prepared_on: 1 December 2025", "'1 December 2025' is not a date", "YYYY-MM-DD"),
    ("status: verified", "status: verifed", "'verifed' is not allowed here", "did you mean 'verified'?"),
    ("id: CNV-2026-0001", "id: cnv-2026-1", "'cnv-2026-1' is not written as expected", "like CNV-2026-0001"),
    ("service: cdap", "service: CDAP", "'CDAP' is not written as expected", "lower-case letters"),
    ("number: 0", "number: -1", "-1 is out of range: at least 0", "at least 0"),
    ("number: 0", "number: 'zero'", "'zero' is not a whole number", "whole number"),
    ("rubriques: [dossier, droits, adresse, rsa]", "rubriques: dossier", "'dossier' is not a list", "[a, b]"),
])
def test_field_errors_are_in_the_editors_words(realms_copy: Path, old: str, new: str, message: str,
                                               hint: str) -> None:
    _edit(realms_copy, CONVENTION, (old, new))
    found = [i for i in _issues(realms_copy) if i.rule == "TC010"]
    assert [i.message for i in found] == [message]
    assert hint in found[0].hint
    assert "Input should" not in found[0].message


def test_a_misspelt_key_gets_did_you_mean_and_hides_nothing(realms_copy: Path) -> None:
    _edit(realms_copy, CONVENTION, ("managed_by: caf33", "manged_by: caf33"),
          ("groups: [instructeurs-rsa]", "groups: [everyone]"),
          ("verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example"))
    issues = _issues(realms_copy)
    assert [(i.line, i.rule) for i in issues] == [(9, "TC011"), (15, "TC302"), (15, "TC303"), (21, "TC206")]
    assert issues[0].hint.startswith("did you mean 'managed_by'?")


def test_a_misspelt_kind_is_read_as_the_kind_it_means(realms_copy: Path) -> None:
    _edit(realms_copy, CONVENTION, ("convention:", "conventoin:"), ("organisation: cd33", "organisation: cd34"))
    assert [(i.line, i.rule, i.hint.split("?")[0]) for i in _issues(realms_copy)] == [
        (5, "TC011", "did you mean 'convention'"), (7, "TC201", "did you mean 'cd33'")]


def test_an_unknown_key_lists_the_keys_allowed_there(realms_copy: Path) -> None:
    _edit(realms_copy, CONVENTION, ("status: verified", "status: verified\n  signature: scanned.pdf"))
    issue = _one(realms_copy, "TC011")
    assert issue.path == "convention.signature" and "allowed here: amendments, id, managed_by" in issue.hint


def test_causes_come_before_what_follows_from_them(realms_copy: Path) -> None:
    # a field error in an organisation (a cause) and a rule finding in a convention listed earlier by name
    _edit(realms_copy, "organisations/udaf33.yaml", ("kind: partner", "kind: partenaire"))
    _edit(realms_copy, CONVENTION, ("verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example"))
    rules = [i.rule for i in _issues(realms_copy)]
    assert rules == ["TC010", "TC302", "TC303"]


def test_a_broken_organisation_is_not_also_an_unknown_one(realms_copy: Path) -> None:
    _edit(realms_copy, "organisations/cd33.yaml", ("kind: partner", "kind: partenaire"))
    _edit(realms_copy, "organisations/caf33.yaml", ("realm: caf33", "realm: Caf33"))
    found = [(Path(i.file).name, i.rule) for i in _issues(realms_copy)]
    assert found == [("caf33.yaml", "TC010"), ("cd33.yaml", "TC010")]  # no TC201, TC207, TC208 elsewhere


def test_a_broken_provider_is_not_also_an_unknown_one(realms_copy: Path) -> None:
    _edit(realms_copy, "providers/cnaf.yaml", ("acs_url: https://", "acs_url: http://"))
    assert [(Path(i.file).name, i.rule) for i in _issues(realms_copy)] == [("cnaf.yaml", "TC018")]


def test_a_broken_federation_file_does_not_unknow_the_doctrine(realms_copy: Path) -> None:
    _edit(realms_copy, "federation.yaml", ("policy_profile: habpps", "policy_profile: habbps"))
    issues = _issues(realms_copy)
    assert [(Path(i.file).name, i.rule) for i in issues] == [("federation.yaml", "TC010")]
    assert "did you mean 'habpps'?" in issues[0].hint


def test_a_missing_federation_file_is_named_without_consequences(realms_copy: Path) -> None:
    (realms_copy / "federation.yaml").rename(realms_copy.parent / "federation.yaml")
    issues = _issues(realms_copy)
    assert [(i.file, i.rule) for i in issues] == [(str(realms_copy), "TC004")]
    assert str(realms_copy / "federation.yaml") in issues[0].message


def test_a_misplaced_federation_file_is_named_and_still_read(realms_copy: Path) -> None:
    (realms_copy / "federation.yaml").rename(realms_copy / "organisations" / "federation.yaml")
    issues = _issues(realms_copy)
    assert [(i.file, i.rule) for i in issues] == [(str(realms_copy / "organisations" / "federation.yaml"), "TC016")]
    assert str(realms_copy / "federation.yaml") in issues[0].message


def test_a_wrong_optional_value_does_not_echo_in_its_mapping(realms_copy: Path) -> None:
    # the unreadable realm is left out: "an organisation in Keycloak needs a realm" (TC105) would follow
    _edit(realms_copy, "organisations/cd33.yaml", ("realm: cd33", "realm: CD33"))
    assert [(Path(i.file).name, i.line, i.rule) for i in _issues(realms_copy)] == [("cd33.yaml", 9, "TC010")]


def test_an_unreadable_date_hides_neither_the_file_nor_invents_date_findings(realms_copy: Path) -> None:
    # amendment 1's date is unreadable: the four-eyes problem of amendment 0 is still found, and
    # no date rule speaks of the placeholder read instead ("prepared before amendment 0")
    _edit(realms_copy, CONVENTION, ("prepared_on: 2026-03-02", "prepared_on: 2026-02-30"),
          ("verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example"),
          ("verified_on: 2025-12-03", "verified_on: 2025-12-32"))
    found = [(i.line, i.rule) for i in _issues(realms_copy)]
    assert found == [(16, "TC010"), (26, "TC010"), (15, "TC302"), (15, "TC303")]
