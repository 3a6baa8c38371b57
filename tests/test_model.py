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


def test_reference_federation_is_valid() -> None:
    federation = load_federation([REPO_ROOT / "realms"])
    assert {o.id for o in federation.organisations} == {"cd33", "ccas-bordeaux"}
    assert [c.id for c in federation.conventions] == ["CNV-2026-0001"]


def _issues(realms: Path) -> list[tuple[str, int, str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms])
    return [(Path(i.file).name, i.line, i.path, i.rule) for i in caught.value.issues]


def _edit(realms: Path, rel: str, old: str, new: str) -> None:
    path = realms / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example",
     ("cnaf-cd33.yaml", 11, "convention.verified_by", "TC302")),
    ("organisation: cd33", "organisation: cd34", ("cnaf-cd33.yaml", 6, "convention.organisation", "TC201")),
    ("rubriques: [dossier, droits, adresse, rsa]", "rubriques: [dossier, droits, adresse, horoscope]",
     ("cnaf-cd33.yaml", 15, "convention.forms.0.rubriques.3", "TC204")),
    ("valid_until: 2028-12-31", "valid_until: 2025-12-31",
     ("cnaf-cd33.yaml", 17, "convention.forms.0.valid_until", "TC401")),
    ("status: verified", "status: approved", ("cnaf-cd33.yaml", 9, "convention.status", "TC010")),
    ("amendment: 0", "amendment: 0\n  amendment: 1", ("cnaf-cd33.yaml", 9, "$", "TC002")),
])
def test_each_error_is_located_with_its_rule(realms_copy: Path, old: str, new: str,
                                             expected: tuple[str, int, str, str]) -> None:
    _edit(realms_copy, CONVENTION, old, new)
    assert expected in _issues(realms_copy)


def test_every_error_is_reported_at_once(realms_copy: Path) -> None:
    _edit(realms_copy, CONVENTION, "verified_by: caf33.verifier@caf.example", "verified_by: caf33.admin@caf.example")
    _edit(realms_copy, CONVENTION, "service: cdap", "service: cdap2")
    _edit(realms_copy, "organisations/cd33.yaml", "realm: cd33", "realm: ccas-bordeaux")
    rules = sorted(rule for *_, rule in _issues(realms_copy))
    assert rules == ["TC102", "TC203", "TC302"]


def test_cli_prints_every_problem_with_a_hint_and_fails(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", str(realms_copy)]) == 1
    err = capsys.readouterr().err
    assert "cnaf-cd33.yaml:7:3: TC202 at convention.provider: unknown provider 'cpam'" in err
    assert "hint:" in err and "nothing was applied" in err


def test_github_format_annotates_the_pull_request(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", "--format", "github", str(realms_copy)]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"::error file={realms_copy / CONVENTION},line=7,col=3,title=TC202::")


def test_json_format_lists_every_issue(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _edit(realms_copy, CONVENTION, "provider: cnaf", "provider: cpam")
    assert main(["validate", "--format", "json", str(realms_copy)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert [(i["rule"], i["line"], i["path"]) for i in report["issues"]] == [("TC202", 7, "convention.provider")]
