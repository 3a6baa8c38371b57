"""The supervision dashboards' figures, computed in the store (one SQL aggregation each), always
within a perimeter: the organisations an administrator may see (a national administrator all of
them, a Caf's administrator the partners it manages, a partner's administrator their own). The
perimeter is given by the caller, from ``realms/`` and roles, never from a request's parameters.

Filters are checked before any query: a bad one raises ``FilterError`` naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from trustcircle.errors import TrustcircleError
from trustcircle.supervision.store import Store

LOCKOUTS = ("USER_DISABLED_BY_TEMPORARY_LOCKOUT", "USER_DISABLED_BY_PERMANENT_LOCKOUT")
MAX_ROWS = 1000


class FilterError(TrustcircleError):
    """A filter value that cannot be used: ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", f"give a valid {field}")
        self.field = field


@dataclass(frozen=True)
class Filters:
    """What a dashboard shows: a perimeter (organisation ids), a period, optionally one service
    client or one organisation of the perimeter."""

    perimeter: frozenset[str]
    since: dt.datetime
    until: dt.datetime
    organisation: str | None = None
    client: str | None = None
    limit: int = 20

    @classmethod
    def of(cls, perimeter: Iterable[str], since: Any, until: Any, organisation: Any = None, client: Any = None,
           limit: Any = 20) -> Filters:
        """From a request's values (text, as a query string gives them); FilterError on a bad one."""
        allowed = frozenset(perimeter)
        if not allowed:
            raise FilterError("perimeter", "no organisation: this administrator supervises nobody")
        start, end = _instant("since", since), _instant("until", until)
        if end <= start:
            raise FilterError("until", f"{end.date()} is not after since ({start.date()})")
        if organisation is not None and organisation not in allowed:
            raise FilterError("organisation", f"{organisation!r} is not in this administrator's perimeter")
        if client is not None and (not isinstance(client, str) or not 0 < len(client) <= 255):
            raise FilterError("client", "a client id of 1 to 255 characters")
        try:
            rows = int(limit)
        except (TypeError, ValueError) as err:
            raise FilterError("limit", f"{limit!r} is not a number") from err
        if not 1 <= rows <= MAX_ROWS:
            raise FilterError("limit", f"between 1 and {MAX_ROWS}")
        return cls(allowed if organisation is None else frozenset({organisation}), start, end, organisation,
                   client, rows)


def _instant(field: str, value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        found = value
    else:
        try:
            found = dt.datetime.fromisoformat(str(value))
        except ValueError as err:
            raise FilterError(field, f"{value!r} is not a date (YYYY-MM-DD) or an instant") from err
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def _where(f: Filters, kinds: str) -> tuple[str, list[Any]]:
    clauses = [kinds, "occurred >= ?", "occurred < ?", "organisation IN (SELECT unnest(?))"]
    values: list[Any] = [f.since, f.until, sorted(f.perimeter)]
    if f.client is not None:
        clauses.append("client = ?")
        values.append(f.client)
    return " AND ".join(clauses), values


def inactive(store: Store, f: Filters, agents: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, Any]]:
    """Agents of the perimeter (``agents``: account id, username, organisation, as Keycloak holds
    the active ones) with no sign-in in the period: (username, organisation, last sign-in or None)."""
    held = [(a, u, o) for a, u, o in agents if o in f.perimeter]
    store.db.execute("CREATE OR REPLACE TEMP TABLE perimeter_agents (agent VARCHAR, username VARCHAR, "
                     "organisation VARCHAR)")
    if held:  # three lists zipped by the database (a row at a time costs about 0.1 ms each)
        store.db.execute("INSERT INTO perimeter_agents SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                         "unnest(?::VARCHAR[])", [list(column) for column in zip(*held, strict=True)])
    rows = store.db.execute(
        "SELECT p.username, p.organisation, max(l.last) AS last FROM perimeter_agents p "
        "LEFT JOIN logins_daily l ON l.agent = p.agent AND l.day < CAST(? AS DATE) "
        "GROUP BY p.username, p.organisation HAVING last IS NULL OR last < ? ORDER BY last NULLS FIRST, p.username "
        "LIMIT ?", [_end_day(f.until), f.since, f.limit]).fetchall()
    return [(str(u), str(o), last) for u, o, last in rows]


def most_active(store: Store, f: Filters) -> list[tuple[str, str, str, int]]:
    """The agents with the most business actions (API calls for them), per service client:
    (username, organisation, client, actions), most first."""
    where, values = _days(f)
    rows = store.db.execute(
        f"SELECT username, organisation, client, sum(actions) AS n FROM actions_daily WHERE {where} "  # noqa: S608
        "GROUP BY username, organisation, client ORDER BY n DESC, username LIMIT ?", [*values, f.limit]).fetchall()
    return [(str(u), str(o), str(c), int(n)) for u, o, c, n in rows]


def most_frozen(store: Store, f: Filters) -> list[tuple[str, str, int]]:
    """The agents whose account was frozen (locked out) most often: (username, organisation, times)."""
    where, values = _where(f, "kind = 'user' AND type IN ('USER_DISABLED_BY_TEMPORARY_LOCKOUT', "
                              "'USER_DISABLED_BY_PERMANENT_LOCKOUT')")
    rows = store.db.execute(
        f"SELECT username, organisation, count(*) AS times FROM events WHERE {where} "  # noqa: S608
        "GROUP BY ALL ORDER BY times DESC, username LIMIT ?", [*values, f.limit]).fetchall()
    return [(str(u), str(o), int(n)) for u, o, n in rows]


def rubriques(store: Store, f: Filters) -> list[tuple[str, str, int]]:
    """How often each rubrique was consulted, by month: (month YYYY-MM, rubrique, consultations),
    from the days the period covers (the store keeps a count a day)."""
    where, values = _days(f)
    rows = store.db.execute(
        "SELECT strftime(day, '%Y-%m') AS month, rubrique, sum(consultations) AS n FROM rubriques_daily "  # noqa: S608
        f"WHERE {where} GROUP BY month, rubrique ORDER BY month, n DESC, rubrique", values).fetchall()
    return [(str(m), str(r), int(n)) for m, r, n in rows]


def _days(f: Filters) -> tuple[str, list[Any]]:
    """The filters on a daily table: the days the period covers, the perimeter, the client."""
    clauses = ["day >= CAST(? AS DATE)", "day < CAST(? AS DATE)", "organisation IN (SELECT unnest(?))"]
    values: list[Any] = [f.since.astimezone(dt.UTC).date().isoformat(), _end_day(f.until), sorted(f.perimeter)]
    if f.client is not None:
        clauses.append("client = ?")
        values.append(f.client)
    return " AND ".join(clauses), values


def _end_day(until: dt.datetime) -> str:
    """The first day not in a period ending at ``until`` (a period ending mid-day covers that day)."""
    end = until.astimezone(dt.UTC)
    day = end.date() if end.time() == dt.time() else end.date() + dt.timedelta(days=1)
    return day.isoformat()
