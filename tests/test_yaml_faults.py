"""YAML-level faults are reported, never crash or hang the validator."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import MAX_FILE_BYTES, load_federation

BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"]
                 + [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
                    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
                    for i in range(9)]) + "\n"


def _rules(realms: Path, name: str, content: str) -> list[tuple[int, str]]:
    (realms / "conventions" / name).write_text(content)
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms])
    assert time.monotonic() - started < 5
    return [(i.line, i.rule) for i in caught.value.issues if i.file.endswith(name)]


def test_alias_bomb_is_refused_without_expanding_it(realms_copy: Path) -> None:
    assert _rules(realms_copy, "bomb.yaml", BOMB) == [(2, "TC005")]


def test_tab_indentation_is_a_located_syntax_error(realms_copy: Path) -> None:
    assert _rules(realms_copy, "tabs.yaml", "convention:\n\tid: CNV-2026-0009\n") == [(2, "TC002")]


def test_huge_file_is_refused_before_parsing(realms_copy: Path) -> None:
    assert _rules(realms_copy, "huge.yaml", "# " + "x" * MAX_FILE_BYTES + "\n") == [(1, "TC001")]


def test_wrong_type_is_located(realms_copy: Path) -> None:
    content = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().replace(
        "id: CNV-2026-0001", "id: CNV-2026-0099").replace("number: 0", "number: zero")
    assert (12, "TC010") in _rules(realms_copy, "types.yaml", content)


def test_binary_garbage_is_reported(realms_copy: Path) -> None:
    assert [rule for _, rule in _rules(realms_copy, "garbage.yaml", "\x00\x01\x02: [")] == ["TC002"]
