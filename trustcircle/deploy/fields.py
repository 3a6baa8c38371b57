"""What ``pulumi preview`` shows of a Keycloak object: its specification in a form whose diff a
person reads field by field (Pulumi compares maps key by key and lists index by index).

- lists whose order carries no meaning become sets, as maps from element to ``true``: removing
  one rubrique reads as that rubrique removed, not as every later one renamed; named items
  (protocol and identity-provider mappers, client policies) are keyed by name;
- lists whose order matters (a flow's executions, a policy's conditions) stay lists;
- a convention's validity dates read as ``realms/`` writes them, not as the UTC instants
  Keycloak holds (``2028-12-31``, not ``2028-12-31T23:00:00Z``);
- values of secrets (a field named like a password, a secret or a private key) are never shown.

Pure; the object is applied from its specification (``__spec``), never from this form.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from trustcircle import ids
from trustcircle.compiler import dates

HIDDEN = "[secret]"
_SECRET = re.compile(r"(secret|password|private\.key|credential)$", re.IGNORECASE)  # what the key names
_DATES = {ids.CONVENTION_VALID_FROM_ATTR: False, ids.CONVENTION_VALID_UNTIL_ATTR: True}  # key → end of a day


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def _scalars(items: list[Any]) -> bool:
    return all(not isinstance(i, dict | list) for i in items)


def _date(value: Any, zone: ZoneInfo, end: bool) -> Any:
    if isinstance(value, list) and len(value) == 1:  # a group attribute: one value
        return _date(value[0], zone, end)
    return dates.written(value, zone, end=end) if isinstance(value, str) else value


def readable(value: Any, zone: ZoneInfo, key: str = "") -> Any:
    """``value`` (a specification as the admin API takes it) in the form the preview shows."""
    if key in _DATES:
        return _date(value, zone, _DATES[key])
    if _SECRET.search(key) and value not in ("", None, [], {}):
        return HIDDEN
    if isinstance(value, dict):
        return {k: readable(v, zone, k) for k, v in value.items()}
    if isinstance(value, list):
        if _named(value):
            return {str(i["name"]): readable({k: v for k, v in i.items() if k != "name"}, zone) for i in value}
        if _scalars(value):
            return {str(i): True for i in value}
        return [readable(i, zone) for i in value]
    return value
