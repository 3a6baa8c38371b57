"""The supervision ingest: audit-trail files (the extension's listener's JSON lines, and the API
access logs in the same shape) into the supervision store, incrementally and idempotently.

Each file is read from where the last run stopped (its device, inode, first line and byte offset
are kept; a file replaced or truncated is read from its start again). An event's identity is the
digest of its line and how many identical lines of the same instant came before it in its file (two
wallets asking for a nonce in the same millisecond write the same line twice: two events), so
reading a line twice, or a rotated copy of a file already read, never counts an event twice. A line
that is not a record (corrupt, or cut in the middle) is reported by file and line and skipped; the
rest is read. A last line not yet ended by a newline is left for the next run (the listener may be
writing it). Progress is committed every batch: a run stopped midway loses nothing and repeats
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustcircle.errors import TrustcircleError
from trustcircle.supervision.store import Source, Store

BATCH = 50_000
KINDS = ("user", "admin", "api")


@dataclass(frozen=True)
class Skipped:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class Outcome:
    path: str
    lines: int = 0  # lines read this run
    new: int = 0  # events not held before
    skipped: list[Skipped] = field(default_factory=list)
    pending: bool = False  # a last line without its newline, left for the next run


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


@dataclass
class Tail:
    """The identical lines of the last instant read so far in a file (``time`` as written)."""

    time: str = ""
    seen: dict[str, int] = field(default_factory=dict)

    def occurrence(self, time: str, digest: str) -> int:
        if time != self.time:
            self.time, self.seen = time, {}
        number = self.seen.get(digest, 0)
        self.seen[digest] = number + 1
        return number


def row(line: bytes, tail: Tail | None = None, homes: dict[str, str] | None = None) -> tuple[Any, ...]:
    """The store's row for one line (ValueError, saying what is wrong, when it is not a record);
    ``tail`` counts identical lines of one instant; ``homes`` gives the organisation whose own realm
    a realm is (an event there is that organisation's)."""
    try:
        record = json.loads(line)
    except ValueError as err:
        raise ValueError(f"not a JSON line ({err.__class__.__name__}: {err})") from err
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    kind = record.get("kind")
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    written = str(record.get("time"))
    try:
        at = dt.datetime.fromisoformat(written)
    except ValueError as err:
        raise ValueError(f"time {record.get('time')!r} is not an ISO-8601 instant") from err
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    found = record.get("details")
    details: dict[str, Any] = found if isinstance(found, dict) else {}
    event: Any
    if kind == "admin":
        event = " ".join(str(p) for p in (record.get("operation"), record.get("resource_type")) if p)
        agent = record.get("auth_user")
    else:
        event = record.get("type")
        agent = record.get("user")
    rubriques = details.get("rubriques") if kind == "api" else None
    if rubriques is not None and not (isinstance(rubriques, list) and all(isinstance(r, str) for r in rubriques)):
        raise ValueError("details.rubriques is not a list of names")
    digest = hashlib.sha256(line.strip()).hexdigest()
    occurrence = (tail or Tail()).occurrence(written, digest)
    identity = uuid.UUID(bytes=hashlib.sha256(f"{digest}:{occurrence}".encode()).digest()[:16])
    return (str(identity), at.astimezone(dt.UTC).isoformat(), kind, _text(record.get("realm")), _text(event),
            _text(record.get("client")), _text(agent), _text(details.get("username")),
            _text(details.get("identity_provider") or record.get("organisation")
                  or (homes or {}).get(str(record.get("realm")))), _text(record.get("error")),
            rubriques)


def ingest_file(store: Store, path: Path, homes: dict[str, str] | None = None) -> Outcome:
    """Reads what is new in ``path`` into ``store`` (``homes``: organisation by realm, see ``row``)."""
    try:
        stat = path.stat()
        with path.open("rb") as data:
            first = data.readline()
    except OSError as err:
        raise TrustcircleError(f"cannot read {path}: {err}", "name an audit-trail file this user may read") from err
    name = str(path.resolve())
    head = hashlib.sha256(first).hexdigest() if first.endswith(b"\n") else ""
    held = store.source(name)
    offset, number, tail = 0, 0, Tail()
    if (held is not None and (held.device, held.inode, held.head) == (stat.st_dev, stat.st_ino, head)
            and held.offset <= stat.st_size):
        offset, number, tail = held.offset, held.lines, Tail(held.tail_time, dict(held.tail_seen))
    outcome = Outcome(name)
    rows: list[tuple[Any, ...]] = []
    with path.open("rb") as data:
        data.seek(offset)
        for raw in data:
            if not raw.endswith(b"\n"):
                outcome.pending = True
                break
            number += 1
            offset += len(raw)
            outcome.lines += 1
            if raw.strip():
                try:
                    rows.append(row(raw, tail, homes))
                except ValueError as err:
                    outcome.skipped.append(Skipped(name, number, str(err)))
            if len(rows) >= BATCH:
                outcome.new += store.add(rows, Source(name, stat.st_dev, stat.st_ino, head, offset, number,
                                                      tail.time, tail.seen))
                rows = []
    outcome.new += store.add(rows, Source(name, stat.st_dev, stat.st_ino, head, offset, number, tail.time, tail.seen))
    return outcome


def ingest(store: Store, paths: Iterable[Path], homes: dict[str, str] | None = None) -> list[Outcome]:
    """Every file in turn; a file that cannot be read stops nothing but itself (it is reported)."""
    outcomes = []
    for path in paths:
        try:
            outcomes.append(ingest_file(store, path, homes))
        except TrustcircleError as err:
            failed = Outcome(str(path))
            failed.skipped.append(Skipped(str(path), 0, str(err)))
            outcomes.append(failed)
    return outcomes


def default_store() -> Path:
    from trustcircle.settings import Paths

    return Paths.from_env().state / "supervision" / "events.duckdb"


def lines(outcomes: list[Outcome], retention_days: int, purged: int) -> list[str]:
    """What a person reads after a run."""
    out = []
    for o in outcomes:
        out.append(f"{o.path}: {o.lines} line(s) read, {o.new} new event(s)"
                   + (f", {len(o.skipped)} skipped" if o.skipped else "")
                   + (" (its last line is not finished: read at the next run)" if o.pending else ""))
        out += [f"  skipped {s}" for s in o.skipped]
    out.append(f"retention {retention_days} days: {purged} older event(s) forgotten")
    return out
