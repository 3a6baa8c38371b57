"""Compare what Keycloak holds with what the compiler wants, on the managed fields only.

``project(current, desired)`` keeps, of a representation read from Keycloak, exactly the shape of
the desired one: the same keys (nested maps such as ``attributes`` and ``config`` too), lists of
scalars sorted, and lists of named items (mappers) in the desired order, where an item Keycloak
has but the desired state lacks, or has twice, shows up as ``{"name": ..., "unmanaged": true}``
(drift).
Fields Keycloak adds by itself and we never set are ignored.
"""

from __future__ import annotations

import json
from typing import Any


def _order(value: Any) -> str:
    """A sort key that does not depend on the order of a mapping's keys (Pulumi hands values back
    with keys in any order: sorting by ``repr`` made equal lists compare unequal now and then)."""
    return json.dumps(value, sort_keys=True, default=str)


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def canonical(value: Any) -> Any:
    """The desired value in comparable form."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        if _named(value):
            return {i["name"]: canonical(i) for i in value}
        return sorted((canonical(v) for v in value), key=_order)
    return value


def project(current: Any, desired: Any) -> Any:
    """``current`` reduced to the shape of ``desired`` (both as given to the admin API)."""
    if isinstance(desired, dict):
        cur = current if isinstance(current, dict) else {}
        return {k: project(cur.get(k), v) for k, v in desired.items()}
    if isinstance(desired, list):
        cur_list = current if isinstance(current, list) else []
        if _named(desired) or (_named(cur_list) and not desired):
            have: dict[Any, Any] = {}
            twice = []
            for item in cur_list:
                if item.get("name") in have:
                    twice.append(item.get("name"))
                have.setdefault(item.get("name"), item)
            out = [project(have.pop(d["name"]), d) for d in desired if d["name"] in have]
            # an item Keycloak has twice shows as drift too (canonical() keeps the last of a name)
            return out + [{"name": name, "unmanaged": True} for name in sorted(have) + sorted(twice)]
        return sorted(cur_list, key=_order)
    if desired == "" and current is None:  # Keycloak drops an attribute set empty: absent is empty
        return ""
    if isinstance(desired, bool) and isinstance(current, str):
        return current.lower() == "true"
    return current


def changed_fields(observed: Any, desired: Any) -> list[str]:
    """Top-level keys whose values differ between an observed and a desired representation."""
    return sorted(k for k in desired if canonical(observed.get(k)) != canonical(desired[k]))
