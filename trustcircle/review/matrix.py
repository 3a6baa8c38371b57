"""The access matrix: organisation by service by profile by rubrique, with validity, as of a date.

Rows come from the amendment in force of each verified convention (what Keycloak enforces);
conventions that grant nothing (draft, rejected, terminated) and amendments awaiting verification
are listed apart, so an auditor sees both what is granted and what is pending or refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trustcircle.model.schema import Convention, Federation


@dataclass(frozen=True)
class Access:
    organisation: str
    organisation_name: str
    provider: str
    service: str
    service_name: str
    profile: str
    rubrique: str
    valid_from: dt.date
    valid_until: dt.date
    convention: str
    amendment: int
    state: str  # active | expired | not yet valid
    groups: str  # the organisation's groups the access is limited to ("" = every agent)


@dataclass(frozen=True)
class Pending:
    convention: str
    organisation: str
    state: str  # draft | rejected | terminated | amendment N awaiting verification
    detail: str


def _state(on: dt.date, start: dt.date, end: dt.date) -> str:
    if on < start:
        return "not yet valid"
    return "expired" if on > end else "active"


def access_rows(federation: Federation, on: dt.date) -> list[Access]:
    rows: list[Access] = []
    for conv in federation.conventions:
        amendment = conv.effective()
        if amendment is None:
            continue
        org = federation.organisation(conv.organisation)
        names = {s.id: s.name for s in federation.provider(conv.provider).services}
        for form in amendment.forms:
            state = _state(on, form.valid_from, form.valid_until)
            rows.extend(Access(org.id, org.name, conv.provider, form.service, names[form.service], form.profile,
                               rubrique, form.valid_from, form.valid_until, conv.id, amendment.number, state,
                               " ".join(sorted(form.groups)))
                        for rubrique in form.rubriques)
    return sorted(rows, key=lambda r: (r.organisation, r.service, r.rubrique))


def _pending_of(conv: Convention) -> Pending | None:
    if conv.status != "verified":
        return Pending(conv.id, conv.organisation, conv.status, "grants nothing")
    in_force = conv.effective()
    latest = conv.amendments[-1]
    if in_force is not None and latest.number > in_force.number:
        return Pending(conv.id, conv.organisation, f"amendment {latest.number} awaiting verification",
                       f"amendment {in_force.number} stays in force; prepared by {latest.prepared_by} "
                       f"on {latest.prepared_on}")
    return None


def pending(federation: Federation) -> list[Pending]:
    found = [_pending_of(conv) for conv in federation.conventions]
    return sorted((p for p in found if p is not None), key=lambda p: p.convention)
