"""What cannot be a corpus file: links, special files, other encodings, invisible characters. Each
case is made in a copy of realms/ and must be refused with its file, line, rule and a hint."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from trustcircle.model.issues import Issue, ValidationFailed
from trustcircle.model.loader import load_federation

CONVENTION = "conventions/cnaf-cd33.yaml"


def _issues(realms: Path) -> list[Issue]:
    with pytest.raises(ValidationFailed) as caught:
        load_federation([realms])
    assert all(i.hint for i in caught.value.issues)
    return caught.value.issues


def _found(realms: Path) -> list[tuple[str, int, str]]:
    return [(str(Path(i.file).relative_to(realms)), i.line, i.rule) for i in _issues(realms)]


@pytest.mark.parametrize(("name", "target", "inside"), [
    ("conventions/passwd.yaml", "/etc/passwd", False),                       # absolute, outside
    ("conventions/other.yaml", "../../outside/convention.yaml", False),      # relative, outside
    ("conventions/again.yaml", "cnaf-cd33.yaml", True),                      # inside: a second copy
    ("conventions/elsewhere", "../../outside", False),                       # a folder
    ("organisations/loop", "..", True),                                      # a folder loop
    ("conventions/dangling.yaml", "../../nowhere.yaml", False),              # a link to nothing
])
def test_a_symbolic_link_is_refused_and_not_followed(realms_copy: Path, name: str, target: str, inside: bool) -> None:
    outside = realms_copy.parent / "outside"
    outside.mkdir()
    (outside / "convention.yaml").write_text((realms_copy / CONVENTION).read_text().replace("0001", "0901"))
    os.symlink(target, realms_copy / name)
    issues = _issues(realms_copy)
    assert [(Path(i.file).name, i.line, i.rule) for i in issues] == [(Path(name).name, 1, "TC015")]
    assert ("inside realms/" if inside else "outside realms/") in issues[0].message
    assert "regular files" in issues[0].hint


def test_a_link_given_on_the_command_line_is_refused_too(realms_copy: Path, tmp_path: Path) -> None:
    link = realms_copy / "conventions" / "link.yaml"
    os.symlink(realms_copy / CONVENTION, link)
    with pytest.raises(ValidationFailed) as caught:
        load_federation([link])
    assert [(Path(i.file).name, i.rule) for i in caught.value.issues] == [("link.yaml", "TC015")]


def test_a_pipe_is_refused_without_blocking(realms_copy: Path) -> None:
    os.mkfifo(realms_copy / "conventions" / "pipe.yaml")
    assert _found(realms_copy) == [("conventions/pipe.yaml", 1, "TC015")]


@pytest.mark.parametrize("name", ["cnaf-cd34.yml", "cnaf-cd34.YAML", "cnaf-cd34.json"])
def test_a_file_trustcircle_would_ignore_is_refused(realms_copy: Path, name: str) -> None:
    (realms_copy / "conventions" / name).write_text("convention: {}\n")
    issues = _issues(realms_copy)
    assert [(Path(i.file).name, i.rule) for i in issues] == [(name, "TC016")]
    assert "cnaf-cd34.yaml" in issues[0].hint


def _rewrite(realms: Path, data: bytes) -> None:
    (realms / CONVENTION).write_bytes(data)


def _text(realms: Path) -> str:
    return (realms / CONVENTION).read_text(encoding="utf-8")


def test_latin_1_is_refused_at_the_first_byte_that_is_not_utf_8(realms_copy: Path) -> None:
    text = _text(realms_copy).replace("Logiciel de gestion", "Logiciel géré")
    _rewrite(realms_copy, text.encode("latin-1"))
    issues = _issues(realms_copy)
    assert [(i.line, i.column, i.rule) for i in issues] == [(40, 31, "TC007")]
    assert "0xE9" in issues[0].message and "UTF-8" in issues[0].hint


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf_16_and_32_are_refused(realms_copy: Path, encoding: str) -> None:
    _rewrite(realms_copy, _text(realms_copy).encode(encoding))
    assert _found(realms_copy) == [(CONVENTION, 1, "TC007")]


def test_a_byte_order_mark_is_refused_and_the_file_still_checked(realms_copy: Path) -> None:
    text = _text(realms_copy).replace("organisation: cd33", "organisation: cd34")
    _rewrite(realms_copy, b"\xef\xbb\xbf" + text.encode())
    assert _found(realms_copy) == [(CONVENTION, 1, "TC007"), (CONVENTION, 7, "TC201")]


@pytest.mark.parametrize(("char", "line"), [
    ("\u202e", 1),   # RIGHT-TO-LEFT OVERRIDE in a comment (Trojan Source)
    ("\u2066", 1),   # LEFT-TO-RIGHT ISOLATE
    ("\u200b", 7),   # ZERO WIDTH SPACE in a value
    ("\u00ad", 7),   # SOFT HYPHEN
    ("\x7f", 7),     # DELETE
    ("\x85", 7),     # NEXT LINE: a line break to YAML 1.1
    ("\u2028", 7),   # LINE SEPARATOR
    ("\x1b", 7),     # ESCAPE (terminal sequences)
    ("\x00", 7),     # NUL
])
def test_an_invisible_or_control_character_is_refused_where_it_is(realms_copy: Path, char: str, line: int) -> None:
    old, new = ("# Convention", f"# Con{char}vention") if line == 1 else ("cd33\n", f"cd{char}33\n")
    text = _text(realms_copy).replace(old, new, 1)
    _rewrite(realms_copy, text.encode())
    issues = [i for i in _issues(realms_copy) if i.rule in ("TC007", "TC008")]
    assert [(i.line, i.rule) for i in issues] == [(line, "TC007" if char == "\x00" else "TC008")]


def test_french_text_is_fine(realms_copy: Path) -> None:
    text = _text(realms_copy).replace("Logiciel de gestion du RSA", "Logiciel « gestion » du RSA — été, ça")
    _rewrite(realms_copy, text.encode())
    load_federation([realms_copy])
