"""``trustcircle audit trace ID``: one federated access rebuilt from the audit trail.

The extension's listener writes every event of every realm as one JSON object per line, with the
transaction identifier both sides of a brokered login share (the ID of the provider's request to
the agent's home realm). A trace is every record of that transaction, plus the records of the
user sessions it opened (token issuance, logout), in time order (as instants, not as text): who
did what, who tried what, each agent named by username and organisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from trustcircle.audit.people import Directory
from trustcircle.audit.records import Record, in_time_order, outcome, read

__all__ = ["read", "render", "trace"]


def trace(records: Iterable[Record], transaction: str) -> list[Record]:
    """The records of one transaction and of the user sessions it opened, oldest first."""
    everything = list(records)
    direct = [r for r in everything if transaction in (r.get("transaction"), r.get("sp_request"))]
    sessions = {(r.get("realm"), r["user_session"]) for r in direct if r.get("user_session")}
    related = [r for r in everything if r not in direct and (r.get("realm"), r.get("user_session")) in sessions]
    return in_time_order(direct + related)


def render(found: list[Record], transaction: str, people: Directory) -> str:
    lines = [f"### Transaction {transaction}", ""]
    if not found:
        return "\n".join([*lines, "No event carries this identifier."]) + "\n"
    lines += ["| time | realm | event | client | agent | outcome |", "| --- | --- | --- | --- | --- | --- |"]
    for r in found:
        agent = people.agent(r)
        event = r.get("type") or f"admin {r.get('operation', '')} {r.get('resource_path', '')}".rstrip()
        lines.append(f"| {r.get('time')} | {r.get('realm')} | {event} | {r.get('client', '')} | "
                     f"{agent.render() if agent else ''} | {outcome(r)} |")
    denied = [r for r in found if r.get("error")]
    realms = sorted({str(r.get("realm")) for r in found})
    lines += ["", f"{len(found)} events in {len(realms)} realms ({', '.join(realms)}); "
              + (f"{len(denied)} refused." if denied else "nothing refused.")]
    return "\n".join(lines) + "\n"
