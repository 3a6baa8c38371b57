"""`trustcircle diff`: every change to realms/ between two sides of the repository it runs in."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from trustcircle.cli import main
from trustcircle.model.issues import ValidationFailed
from trustcircle.review.diff import MARKER, federation_at, render

ON = dt.date(2026, 11, 22)
CPAM = "realms/conventions/cnaf-cpam69.yaml"
CD33 = "realms/conventions/cnaf-cd33.yaml"
CHU = "realms/organisations/chu-bordeaux.yaml"


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                          check=True, capture_output=True, timeout=60, text=True).stdout


@pytest.fixture
def repo(realms_copy: Path) -> Path:
    root = realms_copy.parent
    _git(root, "init", "-q")
    _git(root, "add", "realms")
    _git(root, "commit", "-qm", "base")
    return root


def _edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _commit(repo: Path, rel: str, old: str, new: str) -> None:
    _edit(repo, rel, old, new)
    _git(repo, "commit", "-qam", "change")


def _remove_the_application(repo: Path) -> None:
    text = (repo / CD33).read_text()
    start, end = text.index("          # the council's RSA"), text.index("        - service: aides")
    (repo / CD33).write_text(text[:start] + text[end:])


def _assertions_in_clear(repo: Path, value: str = "false") -> None:
    _edit(repo, CHU, "    sso_url: https://127.0.0.1:8643/idp/sso\n",
          f"    sso_url: https://127.0.0.1:8643/idp/sso\n    encrypted_assertions: {value}\n")


def _text(spec: str, repo: Path, **options: str | bool) -> str:
    text, code = render(spec, ON, repo, **options)  # type: ignore[arg-type]
    assert code == 0, text
    return text


def test_verifying_an_amendment_is_a_gain_in_plain_words(repo: Path) -> None:
    _commit(repo, CPAM, "      prepared_on: 2026-10-20\n",
            "      prepared_on: 2026-10-20\n      verified_by: caf69.verifier@caf.example\n"
            "      verified_on: 2026-10-22\n")
    text = _text("HEAD~1..HEAD", repo)
    assert ("- In effect: Caisse primaire d'assurance maladie du Rhône gains rubrique paiement on cdap for profile T5 "
            "from 2026-02-15 until 2027-02-14 (CNV-2026-0003, amendment 1).") in text
    assert ("- Administrators and verifiers: convention CNV-2026-0003, amendment 1, verified by: set to "
            "caf69.verifier@caf.example.") in text


def test_terminating_a_convention_is_a_loss(repo: Path) -> None:
    _commit(repo, CD33, "  status: verified\n", "  status: terminated\n  terminated_on: 2026-11-20\n")
    text = _text("HEAD~1..", repo)
    assert "- In effect: Conseil départemental de la Gironde loses rubrique rsa on cdap (CNV-2026-0001)." in text
    assert "CNV-2026-0001 (cd33): terminated; grants nothing." in text
    assert "- Access: convention CNV-2026-0001, status: terminated (was verified)." in text


def test_removing_an_application_is_shown(repo: Path) -> None:
    _remove_the_application(repo)
    assert ("- Applications and scopes: convention CNV-2026-0001, amendment 1, form cdap, application gestion-rsa: "
            "removed (was id gestion-rsa; name Logiciel de gestion du RSA; api cdap-api; scopes dossier, droits, rsa;"
            ) in _text("HEAD", repo)


def test_assertions_in_clear_are_shown_with_a_warning(repo: Path) -> None:
    _assertions_in_clear(repo)
    text = _text("HEAD", repo)
    assert "\nService social du CHU de Bordeaux (chu-bordeaux)\n" in text
    assert ("- Encryption and signing: identity provider encrypted assertions: false (was true). Warning: its "
            "identity provider's assertions may then reach the provider in clear.") in text


def test_a_change_it_cannot_classify_is_listed_not_dropped(repo: Path) -> None:
    _edit(repo, "realms/organisations/cd33.yaml", "  kind: partner\n", "  kind: partner\n  colour: blue\n")
    text, code = render("HEAD", ON, repo)
    assert "- unclassified change at realms/organisations/cd33.yaml: organisation.colour: set to blue." in text
    assert code == 1 and "realms/ in the working tree has 1 problem(s)" in text  # the new key does not validate


def test_writing_a_default_or_reordering_a_list_changes_nothing(repo: Path) -> None:
    _assertions_in_clear(repo, "true")
    _edit(repo, CD33, "rubriques: [dossier, droits, adresse, rsa, ressources]",
          "rubriques: [ressources, rsa, adresse, droits, dossier]")
    assert _text("HEAD", repo).endswith("\n\n- No change to realms/.\n")


def test_uncommitted_and_untracked_files_are_read(repo: Path) -> None:
    new = repo / "realms/organisations/cd40.yaml"
    new.write_text((repo / "realms/organisations/ccas-bordeaux.yaml").read_text()
                   .replace("id: ccas-bordeaux", "id: cd40").replace("realm: ccas-bordeaux", "realm: cd40"))
    text = _text("HEAD", repo, worktree=True)
    assert "from HEAD to the working tree" in text
    assert "- Organisation: organisation cd40 (realms/organisations/cd40.yaml): added (id cd40;" in text


def test_a_moved_file_is_a_move(repo: Path) -> None:
    _git(repo, "mv", "realms/organisations/cd33.yaml", "realms/organisations/gironde.yaml")
    assert ("- Files: file: realms/organisations/gironde.yaml (was realms/organisations/cd33.yaml)."
            in _text("HEAD", repo))


def test_a_certificate_is_shown_by_its_fingerprint(repo: Path) -> None:
    pem = "-----BEGIN CERTIFICATE-----\n" + "QUJD" * 30 + "\n-----END CERTIFICATE-----"
    _edit(repo, "realms/providers/cnaf.yaml", "      encryption: {local_stand_in: true}\n",
          "      encryption:\n        certificate: |\n          " + pem.replace("\n", "\n          ") + "\n")
    text, _ = render("HEAD", ON, repo)
    assert "assertion encryption certificate: set to a certificate with sha256 fingerprint " in text
    assert "QUJD" not in text


def test_three_dots_compare_with_where_the_branch_left(repo: Path) -> None:
    _git(repo, "checkout", "-qb", "proposal")
    _commit(repo, CHU, "category: hospital social service", "category: hospital")
    _git(repo, "checkout", "-q", "-")
    _commit(repo, "realms/organisations/cd33.yaml", "name: Conseil", "name: Le Conseil")
    text = _text("HEAD...proposal", repo)
    assert "category: hospital" in text and "Le Conseil" not in text  # only what the branch changed
    assert "Le Conseil" in _text("HEAD..proposal", repo)  # the two trees as they are


def test_markdown_is_a_pull_request_comment(repo: Path) -> None:
    _commit(repo, CD33, "  status: verified\n", "  status: terminated\n  terminated_on: 2026-11-20\n")
    text = _text("HEAD~1..HEAD", repo, fmt="markdown")
    assert text.startswith(f"{MARKER}\n### Changes to realms/ from HEAD~1 to HEAD")
    assert "\n#### Conseil départemental de la Gironde (cd33)\n- In effect:" in text


def test_it_reads_the_repository_it_runs_in(repo: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _commit(repo, CD33, "  status: verified\n", "  status: draft\n")
    monkeypatch.chdir(repo / "realms")
    assert main(["diff", "HEAD~1..HEAD", "--on", "2026-11-22"]) == 0
    assert "convention CNV-2026-0001, status: draft (was verified)" in capsys.readouterr().out


def test_the_realms_path_is_an_option(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "config").mkdir()
    _git(repo, "mv", "realms", "config/realms")
    _git(repo, "commit", "-qm", "move")
    _commit(repo, "config/realms/conventions/cnaf-cd33.yaml", "  status: verified\n", "  status: draft\n")
    assert main(["diff", "HEAD~1..HEAD", "--repo", str(repo), "--realms", "config/realms/"]) == 0
    assert "Changes to config/realms/" in (out := capsys.readouterr().out) and "status: draft" in out


@pytest.mark.parametrize(("args", "code", "message"), [
    (["HEAD..HEAD"], 3, "the range 'HEAD..HEAD' is empty: HEAD and HEAD are the same commit"),
    (["nowhere..HEAD"], 2, "revision 'nowhere' does not exist"),
    (["--worktree", "HEAD~1..HEAD"], 2, "--worktree compares one revision with the working tree"),
    (["-x"], 2, "unrecognized arguments: -x"),
])
def test_a_bad_range_is_a_clear_error(repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
                                      message: str) -> None:
    _commit(repo, CD33, "  status: verified\n", "  status: draft\n")
    try:
        got = main(["diff", "--repo", str(repo), *args])
    except SystemExit as done:  # argparse's own usage errors
        got = int(str(done.code))
    err = capsys.readouterr().err
    assert (got, message in err, "Traceback" in err) == (code, True, False), err


def test_outside_a_repository_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "--repo", str(tmp_path)]) == 2
    assert f"{tmp_path} is not in a git repository" in capsys.readouterr().err


def test_an_invalid_revision_names_the_revision_and_file(repo: Path) -> None:
    _commit(repo, CPAM, "managed_by: caf69", "managed_by: nobody")
    with pytest.raises(ValidationFailed) as caught:
        federation_at("HEAD", repo)
    assert caught.value.issues[0].file == "HEAD:realms/conventions/cnaf-cpam69.yaml"


def test_a_change_of_the_groups_a_form_covers_is_said(repo: Path) -> None:
    _commit(repo, CD33, "          groups: [travailleurs-sociaux]\n",
            "          groups: [travailleurs-sociaux, instructeurs-rsa]\n")
    text = _text("HEAD~1..HEAD", repo)
    assert ("Conseil départemental de la Gironde now gives aides to the agents of instructeurs-rsa, "
            "travailleurs-sociaux (was the agents of travailleurs-sociaux).") in text
    assert "- Access: convention CNV-2026-0001, amendment 1, form aides, groups: added instructeurs-rsa." in text


def test_the_partners_documentation_shows_what_diff_prints(repo: Path) -> None:
    doc = (Path(__file__).parent.parent / "docs/partner-organisation.md").read_text(encoding="utf-8")
    example = doc.split("## What your pull request shows", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    _remove_the_application(repo)
    _assertions_in_clear(repo)
    printed = _text("HEAD", repo)
    for line in (line for line in example.splitlines() if line):
        assert line.split("…", 1)[0] in printed, line
