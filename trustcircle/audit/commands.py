"""The ``audit`` commands of the command line (``trace``, ``find``): arguments and dispatch only."""

from __future__ import annotations

import argparse
import json
from typing import Any

from trustcircle.cli_args import iso_date


def _audit_trace(args: argparse.Namespace) -> int:
    from pathlib import Path

    from trustcircle.audit import context
    from trustcircle.audit.trace import read, render, trace
    from trustcircle.settings import Paths

    files = [Path(f) for f in args.file] or Paths.from_env().audit_files
    records = list(read(files))
    found = trace(records, args.transaction)
    people = context.load(Path(args.realms), use_admin=not args.offline).directory(records)
    print(json.dumps(found, indent=1) if args.format == "json" else render(found, args.transaction, people).rstrip())
    return 0 if found else 3


def _audit_find(args: argparse.Namespace) -> int:
    from dataclasses import asdict
    from pathlib import Path

    from trustcircle.audit import context
    from trustcircle.audit.find import Query, find, render
    from trustcircle.audit.records import read
    from trustcircle.settings import Paths

    query = Query(args.agent, args.organisation, args.service, args.since, args.until, args.outcome)
    records = list(read([Path(f) for f in args.file] or Paths.from_env().audit_files))
    ctx = context.load(Path(args.realms), use_admin=not args.offline)
    found = find(records, query, ctx.directory(records), ctx.service_of_client, ctx.zone)
    print(json.dumps([asdict(f) for f in found], indent=1) if args.format == "json" else render(found).rstrip())
    return 0 if found else 3


def _audit_arguments(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--file", action="append", default=[], help="audit trail file(s); default: the local one "
                                                                 "(each node's on the local cluster)")
    cmd.add_argument("--realms", default="realms", help="the model: which realm and client is whose (default: realms)")
    cmd.add_argument("--offline", action="store_true", help="names from the trail only, not from the admin API")
    cmd.add_argument("--format", choices=["md", "json"], default="md")


def add_audit_commands(sub: Any) -> None:
    """``audit trace`` and ``audit find`` on the command line's subcommands ``sub``."""
    audit = sub.add_parser("audit", help="the audit trail").add_subparsers(dest="action", required=True)
    trace_cmd = audit.add_parser("trace", help="one federated access, on both sides, from its transaction id")
    trace_cmd.add_argument("transaction", help="the transaction identifier (also an e-service's request id)")
    _audit_arguments(trace_cmd)
    trace_cmd.set_defaults(func=_audit_trace)
    find_cmd = audit.add_parser("find", help="transactions by agent, organisation, service, period, outcome; "
                                             "exit 3 when none matches")
    find_cmd.add_argument("--agent", help="the agent's username")
    find_cmd.add_argument("--organisation", help="the organisation's id (realms/organisations/)")
    find_cmd.add_argument("--service", help="the service's id or client id")
    find_cmd.add_argument("--from", dest="since", type=iso_date,
                          help="first day (YYYY-MM-DD, the federation's time zone)")
    find_cmd.add_argument("--until", type=iso_date, help="last day, included (YYYY-MM-DD)")
    find_cmd.add_argument("--outcome", choices=["ok", "refused"])
    _audit_arguments(find_cmd)
    find_cmd.set_defaults(func=_audit_find)

