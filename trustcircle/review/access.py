"""The access in effect that changes between two federations, as of a date, in plain language: what
each organisation gains or loses (only what takes effect: an amendment awaiting verification is
pending, not a gain)."""

from __future__ import annotations

import datetime as dt

from trustcircle.model.schema import Federation
from trustcircle.review.matrix import Access, access_rows, pending

Key = tuple[str, str, str]


def _by_key(rows: list[Access]) -> dict[Key, Access]:
    return {(r.organisation, r.service, r.rubrique): r for r in rows}


def _groups(rows: list[Access]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r.organisation, r.service): (r.organisation_name, r.groups) for r in rows}


def _who(groups: str) -> str:
    return "the agents of " + ", ".join(groups.split()) if groups else "every agent"


def _row_changes(a: Access | None, b: Access | None) -> list[str]:
    if a is None and b is not None:
        return [f"{b.organisation_name} gains rubrique {b.rubrique} on {b.service} for profile {b.profile} "
                f"from {b.valid_from} until {b.valid_until} ({b.convention}, amendment {b.amendment})."]
    if b is None and a is not None:
        return [f"{a.organisation_name} loses rubrique {a.rubrique} on {a.service} ({a.convention})."]
    lines: list[str] = []
    if a is not None and b is not None:
        if (a.valid_from, a.valid_until) != (b.valid_from, b.valid_until):
            lines.append(f"{b.organisation_name} keeps rubrique {b.rubrique} on {b.service}, now from "
                         f"{b.valid_from} until {b.valid_until} (was {a.valid_from} until {a.valid_until}).")
        if a.profile != b.profile:
            lines.append(f"{b.organisation_name} holds rubrique {b.rubrique} on {b.service} under profile "
                         f"{b.profile} (was {a.profile}).")
    return lines


def effective_changes(before: Federation, after: Federation, on: dt.date) -> list[tuple[str, str]]:
    """(organisation id, sentence) for each change of the access in effect on ``on``."""
    rows_before, rows_after = access_rows(before, on), access_rows(after, on)
    old, new = _by_key(rows_before), _by_key(rows_after)
    lines = [(key[0], text) for key in sorted(set(old) | set(new)) for text in _row_changes(old.get(key), new.get(key))]
    old_groups, new_groups = _groups(rows_before), _groups(rows_after)
    for org_service in sorted(set(old_groups) & set(new_groups)):
        (name, was), (_, now) = old_groups[org_service], new_groups[org_service]
        if was != now:
            lines.append((org_service[0], f"{name} now gives {org_service[1]} to {_who(now)} (was {_who(was)})."))
    old_pending = {(p.convention, p.state) for p in pending(before)}
    lines += [(item.organisation, f"{item.convention} ({item.organisation}): {item.state}; {item.detail}.")
              for item in pending(after) if (item.convention, item.state) not in old_pending]
    return lines
