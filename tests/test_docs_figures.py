"""Figures in docs/ come from a command: a section that states a measured figure (a time, a size,
a median…) names the command that measures it (``./run …``) or the day it was measured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from trustcircle.settings import REPO_ROOT

FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s?(?:ms|s|min|MiB|GiB|KiB)\b")
MEASURED = re.compile(r"\b(measured|took|takes|median|worst|p95|p50|faster|slower)\b", re.IGNORECASE)
SOURCE = re.compile(r"\./run [a-z]|20\d\d-\d\d-\d\d")
DOCS = sorted((REPO_ROOT / "docs").glob("*.md"))


def unsourced(text: str) -> list[str]:
    """The first measured figure of each section that names neither a command nor a day."""
    found = []
    for section in re.split(r"(?m)^(?=#+ )", text):
        figures = [line for line in section.splitlines() if FIGURE.search(line) and MEASURED.search(line)]
        if figures and not SOURCE.search(section):
            found.append(f"{section.splitlines()[0]}: {figures[0].strip()}")
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_measured_figure_says_where_it_comes_from(doc: Path) -> None:
    assert unsourced(doc.read_text(encoding="utf-8")) == []


def test_a_figure_without_its_command_is_found() -> None:
    assert unsourced("## Speed\nA check took 90 s.\n") == ["## Speed: A check took 90 s."]
    assert unsourced("## Speed\nA check took 90 s (`./run bench-consistency`).\n") == []
    assert unsourced("## Speed\nMeasured on 2026-12-03: median 12 ms.\n") == []
    assert unsourced("## Settings\nThe idle timeout is 30 min.\n") == []  # a setting, not a measurement
