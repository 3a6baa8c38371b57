"""People named in realms/ (preparers, verifiers, administrators): how they are written, and when
two spellings name the same person.

Four-eyes rules compare :func:`person_key`, which ignores letter case, spaces, invisible characters
and compatibility forms (a full-width a, U+FF41, is an a); :func:`person_problem` refuses any
identifier that is not already a plain e-mail address, so that look-alike letters from other
scripts (a Cyrillic a, U+0430), which no normalisation maps to Latin ones, cannot name a second person.
"""

from __future__ import annotations

import re
import unicodedata

from trustcircle.model.base import PERSON_PATTERN

PLAIN_PERSON = re.compile(PERSON_PATTERN)
_IGNORED = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def person_key(value: str) -> str:
    """What two identifiers of one person have in common."""
    text = unicodedata.normalize("NFKC", value)
    return "".join(c for c in text if unicodedata.category(c) not in _IGNORED and not c.isspace()).casefold()


def _first_foreign(value: str) -> str | None:
    return next((c for c in value if not c.isascii() or not c.isprintable() or c.isspace()), None)


def person_problem(value: str) -> str | None:
    """Why ``value`` is not written as a plain e-mail address, or None."""
    if value != value.strip():
        return f"{value!r} has spaces around it"
    foreign = _first_foreign(value)
    if foreign is not None:
        name = unicodedata.name(foreign, "a control character")
        what = "a space" if foreign.isspace() else f"U+{ord(foreign):04X} {name}"
        return f"{value!r} holds {what}: write it in plain ASCII letters"
    if not PLAIN_PERSON.fullmatch(value):
        return f"{value!r} is not an e-mail address (name@domain, the domain in lower case)"
    return None
