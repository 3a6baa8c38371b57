"""The supervision store: the events the dashboards are computed from, in an embedded DuckDB file
(columnar: aggregations over months of events on one machine), kept only as long as the
retention says.

Only what the dashboards need is kept of each record: when, which realm and client, what kind of
event and its outcome, the agent (their account id and username), their organisation, and for
an API call the rubriques it returned. Addresses, sessions, tokens and the rest of a record's
details are left in the audit trail and never copied here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from trustcircle.errors import TrustcircleError

DEFAULT_RETENTION_DAYS = 190  # six months of dashboards, and a margin for the one who looks late

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id UUID PRIMARY KEY,             -- from the line's digest and rank: a line read twice is one event
    occurred TIMESTAMPTZ NOT NULL,
    kind VARCHAR NOT NULL,           -- user | admin | api
    realm VARCHAR,
    type VARCHAR,                    -- LOGIN, LOGIN_ERROR, ...; an admin event's OPERATION RESOURCE_TYPE
    client VARCHAR,
    agent VARCHAR,                   -- the account id (the acting administrator's, for an admin event)
    username VARCHAR,
    organisation VARCHAR,            -- the agent's organisation: the identity provider, or their own realm
    error VARCHAR,
    rubriques VARCHAR[]
);
CREATE TABLE IF NOT EXISTS rubriques_daily (  -- consultations of each rubrique a day, kept at ingest
    day DATE NOT NULL,
    organisation VARCHAR,
    client VARCHAR,
    rubrique VARCHAR NOT NULL,
    consultations BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS actions_daily (  -- business actions (API calls) of each agent a day
    day DATE NOT NULL,
    organisation VARCHAR,
    client VARCHAR,
    username VARCHAR,
    actions BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS logins_daily (  -- sign-ins at home of each account a day
    day DATE NOT NULL,
    agent VARCHAR,
    last TIMESTAMPTZ NOT NULL,
    logins BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (  -- how far each file was read
    path VARCHAR PRIMARY KEY,
    device BIGINT NOT NULL,
    inode BIGINT NOT NULL,
    head VARCHAR NOT NULL,           -- the digest of its first line: a file replaced in place is read anew
    "offset" BIGINT NOT NULL,        -- bytes read, up to the end of the last whole line
    lines BIGINT NOT NULL,           -- lines read (the next one's number is lines + 1)
    tail_time VARCHAR NOT NULL,      -- the last instant read, and how many of each identical line it had
    tail_seen VARCHAR NOT NULL       -- (JSON: digest -> count), so that a run resumes the count
);
"""

COLUMNS = ("id", "occurred", "kind", "realm", "type", "client", "agent", "username", "organisation", "error",
           "rubriques")
# a batch is written to a file of the store's own folder and read in one vectorised scan
# (row-by-row inserts cost about 2 ms each)
INSERT_EVENTS = ("INSERT INTO events SELECT * FROM read_json(?, format = 'newline_delimited', columns = {"
                 "id: 'UUID', occurred: 'TIMESTAMPTZ', kind: 'VARCHAR', realm: 'VARCHAR', type: 'VARCHAR', "
                 "client: 'VARCHAR', agent: 'VARCHAR', username: 'VARCHAR', organisation: 'VARCHAR', "
                 "error: 'VARCHAR', rubriques: 'VARCHAR[]'}) ON CONFLICT DO NOTHING")


DAILY = ("rubriques_daily", "actions_daily", "logins_daily")  # kept at ingest, from the events


@dataclass(frozen=True)
class Source:
    path: str
    device: int
    inode: int
    head: str
    offset: int
    lines: int
    tail_time: str = ""
    tail_seen: dict[str, int] = field(default_factory=dict)


class Store:
    """The store at ``path`` (made on first use, owner only); use it in a ``with`` block."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder = path.parent
        try:
            self.db = duckdb.connect(str(path))
        except duckdb.Error as err:
            raise TrustcircleError(f"cannot open the supervision store {path}: {err}",
                                   "another supervision run may hold it: wait for it, then run again") from err
        path.chmod(0o600)
        self.db.execute("SET TimeZone = 'UTC'")  # days are UTC days
        self.db.execute(SCHEMA)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.db.close()

    def source(self, path: str) -> Source | None:
        row = self.db.execute('SELECT path, device, inode, head, "offset", lines, tail_time, tail_seen FROM sources '
                              "WHERE path = ?", [path]).fetchone()
        if row is None:
            return None
        return Source(row[0], row[1], row[2], row[3], row[4], row[5], row[6], json.loads(row[7]))

    def add(self, rows: list[tuple[Any, ...]], source: Source) -> int:
        """Adds the events not already held and records how far ``source`` was read, in one
        transaction; returns how many were new."""
        self.db.execute("BEGIN TRANSACTION")
        try:
            before = self.count()
            if rows:
                self._insert(rows)
            self.db.execute('INSERT OR REPLACE INTO sources (path, device, inode, head, "offset", lines, tail_time, '
                            "tail_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [source.path, source.device, source.inode, source.head, source.offset, source.lines,
                             source.tail_time, json.dumps(source.tail_seen)])
            added = self.count() - before
            if added:  # the days the new events fall on, counted again (a re-read file changes nothing)
                self._roll_up(min(str(r[1])[:10] for r in rows))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return added

    def _roll_up(self, first_day: str) -> None:
        """The daily counts from ``first_day`` on, counted again from the events (the dashboards
        read them instead of months of events)."""
        for table in DAILY:
            self.db.execute(f"DELETE FROM {table} WHERE day >= CAST(? AS DATE)", [first_day])  # noqa: S608
        self.db.execute(
            "INSERT INTO rubriques_daily SELECT CAST(occurred AS DATE), organisation, client, rubrique, count(*) "
            "FROM (SELECT occurred, organisation, client, unnest(rubriques) AS rubrique FROM events "
            "WHERE kind = 'api' AND occurred >= CAST(? AS DATE)) GROUP BY ALL", [first_day])
        self.db.execute(
            "INSERT INTO actions_daily SELECT CAST(occurred AS DATE), organisation, client, username, count(*) "
            "FROM events WHERE kind = 'api' AND occurred >= CAST(? AS DATE) GROUP BY ALL", [first_day])
        self.db.execute(
            "INSERT INTO logins_daily SELECT CAST(occurred AS DATE), agent, max(occurred), count(*) "
            "FROM events WHERE kind = 'user' AND type = 'LOGIN' AND occurred >= CAST(? AS DATE) "
            "GROUP BY CAST(occurred AS DATE), agent", [first_day])

    def _insert(self, rows: list[tuple[Any, ...]]) -> None:
        descriptor, name = tempfile.mkstemp(prefix=".batch-", suffix=".jsonl", dir=self.folder)  # mode 0600
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as batch:
                for values in rows:
                    batch.write(json.dumps(dict(zip(COLUMNS, values, strict=True))) + "\n")
            self.db.execute(INSERT_EVENTS, [name])
        finally:
            os.unlink(name)

    def count(self) -> int:
        row = self.db.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0

    def purge(self, retention_days: int, now: dt.datetime | None = None) -> int:
        """Forgets the events older than the retention; returns how many."""
        if retention_days < 1:
            raise TrustcircleError(f"a retention of {retention_days} days: events are kept at least a day",
                                   "give --retention-days 1 or more")
        # whole UTC days: the events of the day the retention ends on are all kept, with its daily counts
        oldest = ((now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)).astimezone(dt.UTC).date()
        cutoff = dt.datetime.combine(oldest, dt.time(), dt.UTC)
        before = self.count()
        self.db.execute("DELETE FROM events WHERE occurred < ?", [cutoff])
        for table in DAILY:
            self.db.execute(f"DELETE FROM {table} WHERE day < CAST(? AS DATE)", [cutoff])  # noqa: S608
        return before - self.count()
