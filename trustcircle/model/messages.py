"""Field errors in the words of the person editing the file, each with a hint, rather than the
schema library's (``Input should be a valid date or datetime, invalid character in year``).

:func:`translate` maps one pydantic error to a rule id, a message naming the value found, and a
hint saying how to write it; :func:`suggest` finds the key or value that was probably meant.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import ErrorDetails

from trustcircle.model.base import MAX_TOKEN

DATE_HINT = "write dates as YYYY-MM-DD, a real day of the calendar (e.g. 2026-01-31)"
PATTERN_HINTS = {
    r"^[a-z][a-z0-9-]{1,40}$": "an id is lower-case letters, digits and -, starting with a letter, 2 to 41 "
                               "characters (e.g. caf33, instructeurs-rsa)",
    r"^[A-Z]{2,6}-[0-9]{4}-[0-9]{3,6}$": "a convention id is like CNV-2026-0001: 2 to 6 capital letters, the year, "
                                         "then a number of 3 to 6 digits",
    r"^T[0-9]{1,2}$": "a doctrine profile is T and a number, e.g. T5",
    r"^[\x21-\x7e]+$": f"printable ASCII without spaces, at most {MAX_TOKEN} characters",
}
TYPE_NAMES = {list: "a list", dict: "a mapping", type(None): "an empty value"}


def _norm(word: str) -> str:
    return re.sub(r"[\s_-]+", "_", word.strip().casefold())


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` most probably meant: same but for case, spaces and -/_, or a close spelling."""
    by_norm = {_norm(c): c for c in choices}
    if _norm(word) in by_norm:
        return by_norm[_norm(word)]
    close = difflib.get_close_matches(_norm(word), list(by_norm), n=1, cutoff=0.7)
    return by_norm[close[0]] if close else None


def one_of(word: object, choices: Iterable[str]) -> str:
    """A hint listing ``choices``, the likeliest first when ``word`` is close to one."""
    options = sorted(set(map(str, choices)))
    if not options:
        return "declare it first"
    near = suggest(str(word), options) if isinstance(word, str) else None
    return (f"did you mean {near!r}? " if near else "") + "use one of: " + ", ".join(options)


def shown(value: Any) -> str:
    """A value as it appears in a message: quoted text, shortened when long."""
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57]) + f"… ({len(value)} characters)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return TYPE_NAMES.get(type(value), type(value).__name__)


def _expected(ctx: dict[str, Any], key: str) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get(key, "")))


def translate(error: ErrorDetails, description: str | None) -> tuple[str, str, str]:
    """(rule, message, hint) for one field error; ``description`` is the field's, from the model."""
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    field = str(error["loc"][-1]) if error["loc"] else "value"
    if kind == "missing":
        return "TC012", f"missing key {field!r}", f"add {field}: " + (f"({description})" if description else
                                                                        "(see docs/reference.md)")
    if kind == "extra_forbidden":
        return "TC011", f"unknown key {field!r}", "remove it, or check its spelling in docs/reference.md"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "TC010", f"{shown(value)} is not a date", DATE_HINT
    if kind == "literal_error":
        return "TC010", f"{shown(value)} is not allowed here", one_of(value, _expected(ctx, "expected"))
    if kind == "union_tag_invalid":
        tag = ctx.get("discriminator", "").strip("'")
        return "TC010", f"unknown {tag} {shown(ctx.get('tag'))}", one_of(ctx.get("tag"), _expected(ctx,
                                                                                                 "expected_tags"))
    if kind == "union_tag_not_found":
        tag = ctx.get("discriminator", "").strip("'")
        return "TC012", f"missing key {tag!r}", f"add {tag}: it says which kind of {field} this is"
    if kind == "string_pattern_mismatch":
        return "TC010", f"{shown(value)} is not written as expected", PATTERN_HINTS.get(
            str(ctx.get("pattern")), f"write it to match {ctx.get('pattern')}")
    if kind in ("string_too_long", "too_long"):
        unit = "characters" if kind == "string_too_long" else "entries"
        return "TC017", f"{shown(value) if kind == 'string_too_long' else field} is too long: at most " \
                        f"{ctx.get('max_length')} {unit}", "shorten it"
    if kind in ("string_too_short", "too_short"):
        unit = "character" if kind == "string_too_short" else "entry"
        return "TC010", f"{field} is too short: at least {ctx.get('min_length')} {unit}(s)", \
            "fill it in (an empty list or text is not enough here)"
    if kind == "url_not_allowed":
        return "TC018", f"{shown(value)}: {ctx.get('problem')}", "write the exact https URL the service " \
                                                                 "publishes (no wildcard, user name or fragment)"
    if kind.startswith("url"):
        return "TC018", f"{shown(value)} is not a URL", "write a full https URL, e.g. https://service.example/path"
    return _value_error(kind, ctx, value)


def _value_error(kind: str, ctx: dict[str, Any], value: Any) -> tuple[str, str, str]:
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx)
        word = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most",
                "less_than": "less than"}[kind]
        return "TC010", f"{shown(value)} is out of range: {word} {bound}", f"write a number {word} {bound}"
    if kind.startswith("int") or kind.startswith("float"):
        return "TC010", f"{shown(value)} is not a whole number", "write a whole number in decimal, e.g. 3"
    if kind.startswith("bool"):
        return "TC010", f"{shown(value)} is not true or false", "write true or false (without quotes)"
    if kind.startswith("string") or kind == "str_type":
        return "TC010", f"{shown(value)} is not text", "write text (quote it if it looks like a number or a date)"
    if kind == "list_type":
        return "TC010", f"{shown(value)} is not a list", "write a list: [a, b], or one '- item' per line"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "TC010", f"{shown(value)} is not a mapping", "write key: value lines, indented below the key"
    return "TC010", f"{shown(value)}: {kind.replace('_', ' ')}", "see docs/reference.md for the field's type and " \
                                                                  "allowed values"
