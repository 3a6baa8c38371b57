"""The bad-input corpus: each file under tests/corpus/ breaks the rules written in its header
(`# expect: RULE PATH`), on the line marked `# <-` (with several marks, `# expect: RULE PATH @N`
is at the N-th one). Validation must report exactly that, and nothing else for that file, when the file
is added to the reference federation under the folder its corpus folder names; findings in other
files are listed as `# elsewhere: RULE FILE` (a path under realms/)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation

CORPUS = Path(__file__).parent / "corpus"
FILES = sorted(CORPUS.rglob("*.yaml"))


def _expected(path: Path) -> list[tuple[str, str, int]]:
    """Every `# expect: RULE PATH` line of the header, at the line(s) marked `# <-`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    marks = [number for number, line in enumerate(lines, start=1) if line.endswith("# <-")]
    expects = [line.split()[2:] for line in lines if line.startswith("# expect:")]
    assert len(marks) == 1 or all(len(e) == 3 for e in expects), f"{path.name}: several marks need @N"
    return sorted((e[0], e[1], marks[int(e[2].lstrip("@")) - 1] if len(e) == 3 else marks[0]) for e in expects)


def _elsewhere(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return sorted((line.split()[2], line.split()[3]) for line in lines if line.startswith("# elsewhere:"))


def test_the_corpus_is_large_enough_and_covers_many_rules() -> None:
    assert len(FILES) >= 40
    assert len({rule for f in FILES for rule, _, _ in _expected(f)}) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_corpus_file_fails_exactly_as_written(path: Path, realms_copy: Path) -> None:
    dest = realms_copy / path.parent.name / path.name
    dest.parent.mkdir(exist_ok=True)
    shutil.copy(path, dest)
    if path.parent.name == "conventions":  # corpus conventions stand in for cd33's own (TC106)
        (realms_copy / "conventions" / "cnaf-cd33.yaml").unlink()
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms_copy])
    found = sorted((i.rule, i.path, i.line) for i in caught.value.issues if i.file == str(dest))
    others = sorted((i.rule, str(Path(i.file).relative_to(realms_copy))) for i in caught.value.issues
                    if i.file != str(dest))
    assert found == _expected(path)
    # a clash of ids or realms names both sides; nothing else may leak into other files unless written
    assert others == _elsewhere(path) or {rule for rule, _, _ in _expected(path)} & {"TC101", "TC102"}
