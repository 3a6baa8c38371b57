"""``trustcircle audit trace ID``: one federated access rebuilt from the audit trail.

The extension's listener writes every event of every realm as one JSON object per line, with the
transaction identifier both sides of a brokered login share (the ID of the provider's request to
the agent's home realm). A trace is every record of that transaction, plus the records of the
user sessions it opened (token issuance, logout), in time order: who did what, who tried what.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trustcircle.errors import TrustcircleError

Record = dict[str, Any]


def read(paths: Iterable[Path]) -> Iterator[Record]:
    for path in paths:
        if not path.exists():
            raise TrustcircleError(f"no audit trail at {path}",
                                   "start the local federation (./run up) or name the file with --file")
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except ValueError as err:
                        raise TrustcircleError(f"{path}:{number}: not a JSON line ({err})",
                                               "the file must hold the listener's JSON lines only") from err


def trace(records: Iterable[Record], transaction: str) -> list[Record]:
    """The records of one transaction and of the user sessions it opened, oldest first."""
    everything = list(records)
    direct = [r for r in everything if transaction in (r.get("transaction"), r.get("sp_request"))]
    sessions = {(r.get("realm"), r["user_session"]) for r in direct if r.get("user_session")}
    related = [r for r in everything if r not in direct and (r.get("realm"), r.get("user_session")) in sessions]
    return sorted(direct + related, key=lambda r: str(r.get("time")))


def render(found: list[Record], transaction: str) -> str:
    lines = [f"### Transaction {transaction}", ""]
    if not found:
        return "\n".join([*lines, "No event carries this identifier."]) + "\n"
    lines += ["| time | realm | event | client | user | outcome |", "| --- | --- | --- | --- | --- | --- |"]
    for r in found:
        details = r.get("details") or {}
        outcome = r.get("error") or "ok"
        if details.get("trustcircle_rule"):
            outcome += f" (rule {details['trustcircle_rule']})"
        lines.append(f"| {r.get('time')} | {r.get('realm')} | {r.get('type')} | {r.get('client', '')} | "
                     f"{r.get('user', '')} | {outcome} |")
    denied = [r for r in found if r.get("error")]
    realms = sorted({str(r.get("realm")) for r in found})
    lines += ["", f"{len(found)} events in {len(realms)} realms ({', '.join(realms)}); "
              + (f"{len(denied)} refused." if denied else "nothing refused.")]
    return "\n".join(lines) + "\n"
