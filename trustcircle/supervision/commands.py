"""The ``supervise`` commands: ``supervise ingest`` reads the audit trail (and API access logs in
its shape) into the supervision store, and forgets what is older than the retention."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trustcircle.supervision.store import DEFAULT_RETENTION_DAYS


def _ingest(args: argparse.Namespace) -> int:
    from trustcircle.model.loader import load_federation
    from trustcircle.settings import Paths
    from trustcircle.supervision.ingest import default_store, ingest, lines
    from trustcircle.supervision.store import Store

    federation = load_federation([Path(args.realms)])
    homes = {o.realm: o.id for o in federation.organisations if o.realm}
    files = [Path(f) for f in args.file] or Paths.from_env().audit_files
    with Store(Path(args.store) if args.store else default_store()) as store:
        outcomes = ingest(store, files, homes)
        purged = store.purge(args.retention_days)
        print("\n".join(lines(outcomes, args.retention_days, purged)))
        print(f"{store.count()} event(s) in the store")
    return 1 if any(s.line == 0 for o in outcomes for s in o.skipped) else 0


def add_supervision_commands(sub: Any) -> None:
    supervise = sub.add_parser("supervise", help="supervision of the federation's use: the events store")
    actions = supervise.add_subparsers(dest="action", required=True)
    ingest = actions.add_parser("ingest", help="read the audit trail's new lines into the supervision store "
                                               "(incremental; a line read twice counts once)")
    ingest.add_argument("--file", action="append", default=[], metavar="FILE",
                        help="an audit-trail or API access-log file (repeat; default: the local federation's)")
    ingest.add_argument("--store", help="the store file (default: the local state's supervision/events.duckdb)")
    ingest.add_argument("--realms", default="realms", help="the model: which realm is which organisation's "
                                                             "(default: realms)")
    ingest.add_argument("--retention-days", type=int, default=DEFAULT_RETENTION_DAYS,
                        help=f"forget events older than this (default {DEFAULT_RETENTION_DAYS})")
    ingest.set_defaults(func=_ingest)
