"""``trustcircle audit find``: the transactions of an agent, an organisation, a service, a period
or an outcome, one line each, with the identifier ``audit trace`` takes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from trustcircle.audit.people import Directory
from trustcircle.audit.records import Record, in_time_order, instant, outcome

OUTCOMES = ("ok", "refused")


@dataclass(frozen=True)
class Query:
    agent: str | None = None  # username
    organisation: str | None = None  # organisation id
    service: str | None = None  # service id or client id
    since: dt.date | None = None  # first day, inclusive (in the federation's time zone)
    until: dt.date | None = None  # last day, inclusive
    outcome: str | None = None  # ok | refused


@dataclass(frozen=True)
class Found:
    transaction: str
    start: str
    agent: str
    organisation: str
    services: tuple[str, ...]
    outcome: str
    events: int


def _summary(transaction: str, records: list[Record], people: Directory, service_of: dict[str, str]) -> Found:
    agents = [a for a in (people.agent(r) for r in records) if a is not None]
    refusals = [outcome(r) for r in records if r.get("error")]
    services = sorted({service_of[str(r.get("client"))] for r in records if str(r.get("client")) in service_of})
    return Found(transaction, str(records[0].get("time")), agents[0].username if agents else "",
                 agents[0].organisation if agents else "", tuple(services),
                 "refused: " + ", ".join(refusals) if refusals else "ok", len(records))


def _matches(found: Found, query: Query, first_day: dt.date) -> bool:
    return ((query.agent is None or found.agent.lower() == query.agent.lower())
            and (query.organisation is None or found.organisation == query.organisation)
            and (query.service is None or query.service in found.services)
            and (query.since is None or first_day >= query.since)
            and (query.until is None or first_day <= query.until)
            and (query.outcome is None or found.outcome.split(":")[0] == query.outcome))


def find(records: Iterable[Record], query: Query, people: Directory, service_of: dict[str, str],
         zone: ZoneInfo) -> list[Found]:
    """Transactions matching every criterion given, oldest first. ``service_of``: client id → service
    id (a service's own id matches itself)."""
    by_transaction: dict[str, list[Record]] = defaultdict(list)
    for record in in_time_order(records):
        if record.get("transaction"):
            by_transaction[str(record["transaction"])].append(record)
    known = {**service_of, **{s: s for s in service_of.values()}}
    if query.service is not None:  # a client id names its service
        query = replace(query, service=known.get(query.service, query.service))
    found = []
    for transaction, items in by_transaction.items():
        summary = _summary(transaction, items, people, known)
        if _matches(summary, query, instant(items[0]).astimezone(zone).date()):
            found.append(summary)
    return found


def render(found: list[Found]) -> str:
    if not found:
        return "No transaction matches.\n"
    lines = ["| first event | agent | organisation | service | outcome | events | transaction |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {f.start} | {f.agent} | {f.organisation} | {', '.join(f.services)} | {f.outcome} | {f.events} | "
              f"{f.transaction} |" for f in found]
    count = f"{len(found)} transaction" + ("s" if len(found) > 1 else "")
    return "\n".join([*lines, "", f"{count}; details: ./run audit trace <transaction>"]) + "\n"
