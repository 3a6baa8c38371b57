"""Loading realms/: the reference federation is valid; each broken input names file, line, rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustcircle.cli import main
from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

CONVENTION = "conventions/cnaf-cd33.yaml"
A0 = "convention.amendments.0"


def test_reference_federation_is_valid_and_covers_every_convention_state() -> None:
    federation = load_federation([REPO_ROOT / "realms"])
    kinds = {o.kind for o in federation.organisations}
    assert kinds == {"local_fund", "partner"}
    assert {c.status for c in federation.conventions} >= {"verified", "rejected"}
    amended = next(c for c in federation.conventions if c.id == "CNV-2026-0003")
    effective = amended.effective()
    assert effective is not None and effective.number == 0 < len(amended.amendments) - 1
    assert {o.authentication.type for o in federation.organisations} == {"keycloak", "saml", "oidc"}


def _issues(realms: Path) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms])
    return [(Path(i.file).name, i.line, i.path, i.rule) for i in caught.value.issues]


def _edit(realms: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = realms / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example",
     ("cnaf-cd33.yaml", 15, f"{A0}.verified_by", "TC302")),
    ("organisation: cd33", "organisation: cd34", ("cnaf-cd33.yaml", 7, "convention.organisation", "TC201")),
    ("rubriques: [dossier, droits, adresse, rsa]", "rubriques: [dossier, droits, adresse, horoscope]",
     ("cnaf-cd33.yaml", 20, f"{A0}.forms.0.rubriques.3", "TC204")),
    ("rubriques: [dossier, droits, adresse, rsa]", "rubriques: [dossier, droits, adresse, creances]",
     ("cnaf-cd33.yaml", 20, f"{A0}.forms.0.rubriques.3", "TC501")),
    ("profile: T5", "profile: T9", ("cnaf-cd33.yaml", 19, f"{A0}.forms.0.profile", "TC502")),
    ("profile: T5", "profile: T42", ("cnaf-cd33.yaml", 19, f"{A0}.forms.0.profile", "TC205")),
    ("groups: [instructeurs-rsa]", "groups: [everyone]", ("cnaf-cd33.yaml", 21, f"{A0}.forms.0.groups.0", "TC206")),
    ("valid_until: 2028-12-31", "valid_until: 2025-12-31",
     ("cnaf-cd33.yaml", 23, f"{A0}.forms.0.valid_until", "TC401")),
    ("verified_on: 2025-12-03", "verified_on: 2025-11-03", ("cnaf-cd33.yaml", 16, f"{A0}.verified_on", "TC402")),
    ("verified_by: caf33.verifier@caf.example", "verified_by: caf69.verifier@caf.example",
     ("cnaf-cd33.yaml", 15, f"{A0}.verified_by", "TC303")),
    ("    - number: 1", "    - number: 2", ("cnaf-cd33.yaml", 24, "convention.amendments.1.number", "TC304")),
    ("      verified_on: 2025-12-03\n", "", ("cnaf-cd33.yaml", 12, f"{A0}.verified_on", "TC305")),
    ("managed_by: caf33", "managed_by: cd33", ("cnaf-cd33.yaml", 9, "convention.managed_by", "TC207")),
    ("status: verified", "status: terminated", ("cnaf-cd33.yaml", 10, "convention.status", "TC403")),
    ("status: verified", "status: approved", ("cnaf-cd33.yaml", 10, "convention.status", "TC010")),
    ("provider: cnaf", "provider: cnaf\n  provider: cpam", ("cnaf-cd33.yaml", 9, "$", "TC002")),
])
def test_each_error_is_located_with_its_rule(realms_copy: Path, old: str, new: str,
                                             expected: tuple[str, int, str, str]) -> None:
    _edit(realms_copy, CONVENTION, old, new)
    assert expected in _issues(realms_copy)


def test_an_organisation_may_tighten_but_never_loosen_a_policy(realms_copy: Path) -> None:
    _edit(realms_copy, "organisations/caf75.yaml", "password: {min_length: 12}",
          "password: {min_length: 6, max_age_days: 400}\n    sessions: {max_concurrent: 2}")
    found = {(path, rule) for _, _, path, rule in _issues(realms_copy)}
    assert found == {("organisation.policies.password.min_length", "TC601"),
                     ("organisation.policies.password.max_age_days", "TC601"),
                     ("organisation.policies.sessions.max_concurrent", "TC601")}


def test_every_error_is_reported_at_once(realms_copy: Path) -> None:
    _edit(realms_copy, CONVENTION, "verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example")
    _edit(realms_copy, CONVENTION, "service: cdap", "service: cdap2")
    _edit(realms_copy, "organisations/cd33.yaml", "realm: cd33", "realm: ccas-bordeaux")
    rules = sorted(rule for *_, rule in _issues(realms_copy))
    # the realm clash is reported in both files; the preparer is not a verifier of caf33 either
    assert rules == ["TC102", "TC102", "TC203", "TC302", "TC303"]


def test_cli_prints_every_problem_with_a_hint_and_fails(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", str(realms_copy)]) == 1
    err = capsys.readouterr().err
    assert "cnaf-cd33.yaml:8:3: TC202 at convention.provider: unknown provider 'cpam'" in err
    assert "hint:" in err and "nothing was applied" not in err  # validate could not have applied anything


def test_github_format_annotates_the_pull_request(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", "--format", "github", str(realms_copy)]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"::error file={realms_copy / CONVENTION},line=8,col=3,title=TC202::")


def test_json_format_lists_every_issue(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", "--format", "json", str(realms_copy)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(i["rule"], i["line"], i["path"]) for i in report["issues"]] == [("TC202", 8, "convention.provider")]
