"""Validating only the files of a pull request: references resolve against the rest of realms/,
and only the findings in the files asked about are reported (the others are counted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustcircle.cli import main
from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import check, load_federation

CONVENTION = "conventions/cnaf-cd33.yaml"


def _break(realms: Path, rel: str, old: str, new: str) -> None:
    path = realms / rel
    path.write_text(path.read_text().replace(old, new, 1))


def test_one_convention_resolves_against_the_whole_tree(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(realms_copy / CONVENTION)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: 1 convention (checked against the rest of")


def test_a_folder_of_the_tree_resolves_against_the_whole_tree(realms_copy: Path) -> None:
    report = check([realms_copy / "conventions"])
    assert report.partial and report.issues == [] and report.tree.root == realms_copy


def test_only_the_files_asked_about_are_reported(realms_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _break(realms_copy, CONVENTION, "organisation: cd33", "organisation: cd34")
    _break(realms_copy, "organisations/udaf33.yaml", "kind: partner", "kind: partenaire")
    assert main(["validate", str(realms_copy / CONVENTION)]) == 1
    err = capsys.readouterr().err
    assert "TC201 at convention.organisation: unknown organisation 'cd34'" in err
    assert "udaf33" not in err.split("note:")[0]
    assert "note: 1 problem(s) in other files of" in err


def test_problems_elsewhere_do_not_fail_the_files_asked_about(realms_copy: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    _break(realms_copy, "organisations/udaf33.yaml", "kind: partner", "kind: partenaire")
    assert main(["validate", "--format", "json", str(realms_copy / CONVENTION)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"ok": True, "issues": [], "elsewhere": 1}
    assert "note: 1 problem(s)" in captured.err


def test_the_realms_option_names_the_tree(realms_copy: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--realms", str(realms_copy), str(realms_copy / CONVENTION)]) == 0
    assert main(["validate", "--realms", str(realms_copy), str(tmp_path / "elsewhere.yaml")]) == 1
    assert "TC006" in capsys.readouterr().err


def test_a_path_outside_the_tree_is_refused(realms_copy: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    stray = tmp_path / "stray.yaml"
    stray.write_text((realms_copy / CONVENTION).read_text())
    assert main(["validate", "--realms", str(realms_copy), str(stray)]) == 1
    assert "TC016" in capsys.readouterr().err


def test_loading_for_other_commands_still_needs_the_whole_tree_valid(realms_copy: Path) -> None:
    _break(realms_copy, "organisations/udaf33.yaml", "kind: partner", "kind: partenaire")
    report = check([realms_copy / CONVENTION])
    assert report.in_scope == [] and len(report.elsewhere) == 1 and report.federation is None
    with pytest.raises(ValidationFailed):
        load_federation([realms_copy / CONVENTION])
