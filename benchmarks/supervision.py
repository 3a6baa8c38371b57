"""The supervision store at scale: ingest throughput, store size, a re-run's cost.

Usage: ./run bench-supervision [--agents N] [--days D]   (default 100,000 agents, 183 days)

Writes a synthetic history (``benchmarks/supervision_history.py``: N agents of the reference
federation's organisations over D days, skewed habits, consultations of the e-service's API,
lockouts) as an audit-trail file in a temporary folder, then measures, each in this process:
  - the first ingest (every line read into a new store): lines per second, store size;
  - a second ingest of the same file (nothing new: the cost of a scheduled run with nothing to do);
  - the store's events checked against the history's truth (lines, consultations, lockouts);
  - each dashboard's query over the whole period and every organisation (the national view), timed.
Prints a Markdown table. Bounded (the history's size is N x D); loopback only, nothing else runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.supervision_history import ORGANISATIONS, write
from trustcircle.supervision import dashboards
from trustcircle.supervision.ingest import ingest_file
from trustcircle.supervision.store import Store


def _count(store: Store, where: str) -> int:
    found = store.db.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()  # noqa: S608 (constants)
    return int(found[0]) if found else 0


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="./run bench-supervision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=183)
    args = parser.parse_args(argv)
    if not 1 <= args.agents <= 200_000 or not 1 <= args.days <= 400:
        parser.error("--agents is 1 to 200,000 and --days 1 to 400 (the history is written to disk)")
    end = dt.datetime.now(dt.UTC).date()
    with tempfile.TemporaryDirectory(prefix="bench-supervision-") as folder:
        trail = Path(folder) / "events.jsonl"
        print(f"writing {args.days} days of {args.agents} agents …", file=sys.stderr, flush=True)
        start = time.perf_counter()
        truth = write(trail, args.agents, args.days, end)
        written_s = time.perf_counter() - start
        size = trail.stat().st_size
        print(f"{truth.lines} lines ({size / 2**20:.0f} MiB) in {written_s:.0f} s; ingesting …", file=sys.stderr,
              flush=True)
        with Store(Path(folder) / "events.duckdb") as store:
            start = time.perf_counter()
            first = ingest_file(store, trail, {o: o for o in ORGANISATIONS})
            first_s = time.perf_counter() - start
            start = time.perf_counter()
            again = ingest_file(store, trail)
            again_s = time.perf_counter() - start
            f = dashboards.Filters.of(ORGANISATIONS, dt.datetime.combine(end - dt.timedelta(days=args.days - 1),
                                                                         dt.time(), dt.UTC),
                                      dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))
            queries: dict[str, float] = {}
            for name, query in (("agents without a sign-in", lambda: dashboards.inactive(store, f, truth.roster)),
                                ("most business actions", lambda: dashboards.most_active(store, f)),
                                ("most lockouts", lambda: dashboards.most_frozen(store, f)),
                                ("rubriques consulted, by month", lambda: dashboards.rubriques(store, f))):
                start = time.perf_counter()
                query()
                queries[name] = time.perf_counter() - start
            consultations = _count(store, "kind = 'api'")
            lockouts = _count(store, "type = 'USER_DISABLED_BY_TEMPORARY_LOCKOUT'")
            held = store.count()
        stored = (Path(folder) / "events.duckdb").stat().st_size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert first.new == truth.lines == held and not first.skipped, (first.new, truth.lines, held)
    assert again.new == 0 and again.lines == 0
    assert consultations == sum(truth.consultations.values()) and lockouts == sum(truth.lockouts.values())
    print("| history | events | audit trail | first ingest | events/s | store | re-run, nothing new | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {args.agents:,} agents, {args.days} days | {truth.lines:,} | {size / 2**20:,.0f} MiB | {first_s:.1f} s | "
          f"{truth.lines / first_s:,.0f} | {stored / 2**20:,.0f} MiB | {again_s * 1000:.0f} ms | {peak:,.0f} MiB |")
    print()
    print("| dashboard (every organisation, the whole period) | query |")
    print("| --- | ---: |")
    for name, seconds in queries.items():
        print(f"| {name} | {seconds * 1000:.0f} ms |")
    print()
    print(f"Checked against the history: {held:,} events held, {consultations:,} consultations, {lockouts:,} lockouts, "
          f"{len(truth.inactive):,} agents who never signed in.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
