"""The audit trail as the extension's listener writes it (``extensions/audit-listener``,
``AuditRecord``): one JSON object per line, ``time`` an ISO-8601 instant in UTC as Java's
``Instant.toString`` gives it (``…:41Z`` on a whole second, ``…:41.039Z`` otherwise, so text order
is not time order), user events with ``user`` (an id) and ``details`` (``username``,
``identity_provider``…), admin events with ``auth_realm`` and ``auth_user``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from trustcircle.errors import TrustcircleError

Record = dict[str, Any]

# a record without a readable time sorts last, in the order it was written
_UNKNOWN = dt.datetime.max.replace(tzinfo=dt.UTC)


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


def instant(record: Record) -> dt.datetime:
    """When it happened, as an instant (not as text)."""
    try:
        when = dt.datetime.fromisoformat(str(record.get("time")))
    except ValueError:
        return _UNKNOWN
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def in_time_order(records: Iterable[Record]) -> list[Record]:
    """Oldest first; records of the same instant keep the order they were written in."""
    return [r for _, r in sorted(enumerate(records), key=lambda pair: (instant(pair[1]), pair[0]))]


def outcome(record: Record) -> str:
    """``ok``, or the error with the convention gate's rule when it gives one."""
    error = record.get("error")
    if not error:
        return "ok"
    rule = (record.get("details") or {}).get("trustcircle_rule")
    return f"{error} (rule {rule})" if rule else str(error)
