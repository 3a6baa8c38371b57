"""The bad-input corpus: each file under tests/corpus/ breaks one rule, written in its header
(`# expect: RULE PATH`), on the line marked `# <-`. Validation must report exactly that, and nothing
else for that file, when the file is added to the reference federation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.rglob("*.yaml"))


def _expected(path: Path) -> list[tuple[str, str, int]]:
    """Every `# expect: RULE PATH` line of the header, all at the line marked `# <-`."""
    lines = path.read_text().split("\n")
    marked = next(number for number, line in enumerate(lines, start=1) if line.endswith("# <-"))
    return sorted((*line.split()[2:4], marked) for line in lines if line.startswith("# expect:"))


def test_the_corpus_is_large_enough_and_covers_many_rules() -> None:
    assert len(FILES) >= 40
    assert len({rule for f in FILES for rule, _, _ in _expected(f)}) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_file_fails_exactly_as_written(path: Path, realms_copy: Path) -> None:
    dest = realms_copy / path.parent.name / path.name
    shutil.copy(path, dest)
    if path.parent.name == "conventions":  # corpus conventions stand in for cd33's own (TC106)
        (realms_copy / "conventions" / "cnaf-cd33.yaml").unlink()
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms_copy])
    found = sorted((i.rule, i.path, i.line) for i in caught.value.issues if i.file == str(dest))
    others = [i for i in caught.value.issues if i.file != str(dest)]
    assert found == _expected(path)
    # a clash of ids or realms names both sides; nothing else may leak into other files
    assert others == [] or {rule for rule, _, _ in _expected(path)} & {"TC101", "TC102"}
