"""YAML-level faults are reported, never crash or hang the validator."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustcircle.model.catalogue import RULES
from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import MAX_FILE_BYTES, check, load_federation

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
    assert [rule for _, rule in _rules(realms_copy, "garbage.yaml", "\x00\x01\x02: [")] == ["TC007"]


def test_deep_nesting_is_refused_before_parsing(realms_copy: Path) -> None:
    deep = "convention:\n  x: " + "[" * 100_000 + "]" * 100_000 + "\n"
    assert _rules(realms_copy, "deep.yaml", deep) == [(2, "TC017")]


def test_a_giant_number_is_refused_before_python_converts_it(realms_copy: Path) -> None:
    content = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().replace(
        "id: CNV-2026-0001", "id: CNV-2026-0099").replace("number: 0", "number: " + "9" * 5000)
    assert _rules(realms_copy, "number.yaml", content) == [(12, "TC017")]


def test_a_long_list_is_refused(realms_copy: Path) -> None:
    groups = ", ".join(f"g{i}" for i in range(1001))
    content = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().replace(
        "id: CNV-2026-0001", "id: CNV-2026-0099").replace("groups: [instructeurs-rsa]", f"groups: [{groups}]")
    assert (21, "TC017") in _rules(realms_copy, "long.yaml", content)


def test_a_100000_character_name_is_refused_with_its_limit(realms_copy: Path) -> None:
    content = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().replace(
        "name: Logiciel de gestion du RSA", "name: " + "x" * 100_000)
    (realms_copy / "conventions" / "cnaf-cd33.yaml").write_text(content)
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms_copy])
    assert [(i.line, i.rule) for i in caught.value.issues] == [(40, "TC017")]
    assert "at most 200 characters" in caught.value.issues[0].message
    assert len(caught.value.issues[0].message) < 200


def test_two_keys_of_one_mapping_are_named(realms_copy: Path) -> None:
    content = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().replace(
        "id: CNV-2026-0001", "id: CNV-2026-0099").replace("status: verified", "status: verified\n  status: draft")
    assert _rules(realms_copy, "twice.yaml", content) == [(11, "TC002")]


def test_an_empty_file_is_not_silently_skipped(realms_copy: Path) -> None:
    assert _rules(realms_copy, "empty.yaml", "# a convention, soon\n") == [(1, "TC003")]


HOSTILE = ["<<: {a: 1}", "&a x", "*a", "!!binary YQ==", "%YAML 1.1", "---", "? [a]", "- [", "\t", "\u202e", "'",
           "no", "010", "x: " + "[" * 50, "verifed_by: x", "\x00", "\ufeff", "{", "}", "#", ": :", "|", ">-"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 60), st.sampled_from(HOSTILE)), min_size=1, max_size=4))
def test_hostile_edits_are_located_never_a_crash(realms_copy: Path, edits: list[tuple[int, str]]) -> None:
    lines = (realms_copy / "conventions" / "cnaf-cd33.yaml").read_text().split("\n")
    for at, fragment in edits:
        lines.insert(min(at, len(lines)), "  " * (at % 4) + fragment)
    (realms_copy / "conventions" / "fuzz.yaml").write_text("\n".join(lines))
    report = check([realms_copy])
    assert report.issues, "a hostile edit that changes nothing is still a second convention CNV-2026-0001"
    assert all(i.line >= 1 and i.rule in RULES and i.hint for i in report.issues)
