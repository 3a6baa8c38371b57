"""A file's text exactly as its author saw it: strict UTF-8, and no character that displays
differently from what it means (bidirectional overrides, zero-width and control characters,
line separators other than the newline), anywhere in the file, comments included."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator

from trustcircle.model.issues import Issue

REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
SUSPECT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\U0010ffff]")  # ASCII controls and every non-ASCII character
SHOWN_PER_FILE = 5
_BOMS = {codecs.BOM_UTF32_LE: "UTF-32", codecs.BOM_UTF32_BE: "UTF-32", codecs.BOM_UTF16_LE: "UTF-16",
         codecs.BOM_UTF16_BE: "UTF-16"}
UTF8_HINT = "save the file as UTF-8 (without byte order mark): your editor's encoding setting, or iconv -t UTF-8"


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def decode(name: str, data: bytes, issues: list[Issue]) -> str | None:
    """The text of a strict UTF-8 file; None (with an issue) for any other encoding. A UTF-8 byte
    order mark is reported and skipped, so the file's other problems are found in the same run."""
    for bom, encoding in _BOMS.items():
        if data.startswith(bom):
            issues.append(Issue(name, 1, 1, "$", "TC007", f"the file is {encoding}, not UTF-8", UTF8_HINT))
            return None
    if b"\x00" in data:
        line, col = _position(data, data.index(b"\x00"))
        issues.append(Issue(name, line, col, "$", "TC007", "the file holds NUL bytes: UTF-16 or binary, not UTF-8 "
                            "text", UTF8_HINT))
        return None
    if data.startswith(codecs.BOM_UTF8):
        issues.append(Issue(name, 1, 1, "$", "TC007", "the file starts with a byte order mark (invisible)", UTF8_HINT))
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, col = _position(data, err.start)
        issues.append(Issue(name, line, col, "$", "TC007", f"byte 0x{data[err.start]:02X} is not UTF-8 (a Latin-1 "
                            "or Windows-1252 file?); it would be read as another character than you see", UTF8_HINT))
        return None


def _refused(char: str) -> bool:
    return char not in "\t\n\r" and (char < "\x80" or unicodedata.category(char) in REFUSED_CATEGORIES)


def strange_characters(text: str) -> Iterator[tuple[int, str]]:
    """Offsets and characters that a reader would not see as they are."""
    for match in SUSPECT.finditer(text):
        if _refused(match.group()):
            yield match.start(), match.group()


def describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}"


def check_characters(name: str, text: str, issues: list[Issue]) -> bool:
    """Report refused characters (the first few of the file); True when the file can still be parsed
    meaningfully (only format characters such as zero-width spaces or bidirectional overrides)."""
    found = list(strange_characters(text))
    for index, (offset, char) in enumerate(found[:SHOWN_PER_FILE]):
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        last = index == SHOWN_PER_FILE - 1 and len(found) > SHOWN_PER_FILE
        more = f" ({len(found) - SHOWN_PER_FILE} more in this file)" if last else ""
        issues.append(Issue(name, line, column, "$", "TC008", f"invisible or control character {describe(char)}"
                            f"{more}", "delete it: it makes the text display differently from what it means "
                            "(to list them: grep -nP '[^\\x09\\x0a\\x20-\\x7e]' FILE)"))
    return all(unicodedata.category(char) in {"Cf", "Co", "Cn"} for _, char in found)
