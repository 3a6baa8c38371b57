"""Values of ``realms/`` as a reviewer reads them in ``trustcircle diff``: short, and a certificate
by its fingerprint, never its body."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from typing import Any

from trustcircle.review.structure import MISSING, Change

MAX_SHOWN = 240
PEM = re.compile(r"-----BEGIN ([A-Z ]+)-----(.*?)-----END \1-----", re.S)


def is_absent(value: Any) -> bool:
    return value is MISSING or value is None


def _fingerprint(text: str) -> str:
    match = PEM.search(text)
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True) if match else text.encode()
    except (binascii.Error, ValueError):
        der = text.encode()
    label = match.group(1).lower() if match else "value"
    return f"a {label} with sha256 fingerprint {hashlib.sha256(der).hexdigest()[:32]}"


def _item(value: Any) -> str:
    """A list item inside a summary: its key, or a short form."""
    if isinstance(value, dict):
        return str(next((value[k] for k in ("id", "service", "number") if k in value), "…"))
    return shown(value)


def shown(value: Any) -> str:
    """A value in a line of the diff (a block as its fields, lists of blocks by their keys)."""
    if is_absent(value):
        text = "unset"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = _fingerprint(value) if "-----BEGIN" in value else value
    elif isinstance(value, list):
        text = ", ".join(_item(v) for v in value) or "none"
    elif isinstance(value, dict):
        text = "; ".join(f"{k.replace('_', ' ')} {shown(v)}" for k, v in value.items()
                         if k != "$schema" and not is_absent(v) and v not in ([], {}))
    else:
        text = str(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"


def _values(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


def changed(change: Change) -> str:
    """How the value changed: ``added: …``, ``removed (was …)``, ``b (was a)``, or the set's difference."""
    before, after = change.before, change.after
    if _values(before) and _values(after):
        gained = [v for v in after if v not in before]
        lost = [v for v in before if v not in after]
        parts = ([f"added {shown(gained)}"] if gained else []) + ([f"removed {shown(lost)}"] if lost else [])
        return "; ".join(parts) or f"{shown(after)} (was {shown(before)})"
    if is_absent(before):
        return f"added ({shown(after)})" if isinstance(after, dict) else f"set to {shown(after)}"
    if is_absent(after):
        return f"removed (was {shown(before)})"
    return f"{shown(after)} (was {shown(before)})"
