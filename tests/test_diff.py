"""`trustcircle diff A..B`: plain-language access changes between two git revisions."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from trustcircle.model.issues import ValidationFailed
from trustcircle.review.diff import federation_at, render

ON = dt.date(2026, 11, 22)
CPAM = "realms/conventions/cnaf-cpam69.yaml"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   check=True, capture_output=True, timeout=60)


@pytest.fixture
def repo(realms_copy: Path) -> Path:
    root = realms_copy.parent
    _git(root, "init", "-q")
    _git(root, "add", "realms")
    _git(root, "commit", "-qm", "base")
    return root


def _commit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    path.write_text(path.read_text().replace(old, new))
    _git(repo, "commit", "-qam", "change")


def test_verifying_an_amendment_is_a_gain_in_plain_words(repo: Path) -> None:
    _commit(repo, CPAM, "      prepared_on: 2026-10-20\n",
            "      prepared_on: 2026-10-20\n      verified_by: caf69.verifier@caf.example\n"
            "      verified_on: 2026-10-22\n")
    text = render("HEAD~1..HEAD", ON, repo)
    assert ("- Caisse primaire d'assurance maladie du Rhône gains rubrique paiement on cdap for profile T5 "
            "from 2026-02-15 until 2027-02-14 (CNV-2026-0003, amendment 1).") in text


def test_terminating_a_convention_is_a_loss(repo: Path) -> None:
    path = "realms/conventions/cnaf-cd33.yaml"
    _commit(repo, path, "  status: verified\n", "  status: terminated\n  terminated_on: 2026-11-20\n")
    text = render("HEAD~1..", ON, repo)
    assert "- Conseil départemental de la Gironde loses rubrique rsa on cdap (CNV-2026-0001)." in text
    assert "CNV-2026-0001 (cd33): terminated; grants nothing." in text


def test_no_change_says_so(repo: Path) -> None:
    assert "- No access changes." in render("HEAD..HEAD", ON, repo)


def test_an_invalid_revision_names_the_revision_and_file(repo: Path) -> None:
    _commit(repo, CPAM, "managed_by: caf69", "managed_by: nobody")
    with pytest.raises(ValidationFailed) as caught:
        federation_at("HEAD", repo)
    assert caught.value.issues[0].file == "HEAD:realms/conventions/cnaf-cpam69.yaml"


def test_a_change_of_the_groups_a_form_covers_is_said(repo: Path) -> None:
    _commit(repo, "realms/conventions/cnaf-cd33.yaml", "          groups: [travailleurs-sociaux]\n",
            "          groups: [travailleurs-sociaux, instructeurs-rsa]\n")
    text = render("HEAD~1..HEAD", ON, repo)
    assert ("Conseil départemental de la Gironde now gives aides to the agents of instructeurs-rsa, "
            "travailleurs-sociaux (was the agents of travailleurs-sociaux).") in text
