"""The ``consistency`` commands of the command line (check, sync, snapshot, rollback, forget):
arguments, dispatch and what a person reads; the work is in the modules beside this one."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from trustcircle.consistency.checker import Report


def _context(args: argparse.Namespace) -> tuple[Any, str, Any]:
    from pathlib import Path

    from trustcircle.keycloak.admin import Admin
    from trustcircle.model.loader import load_federation
    from trustcircle.settings import Paths
    from trustcircle.target import Target

    federation = load_federation([Path(args.realms)]).settings.id
    return Admin(Target.load()), federation, Paths.from_env().state


def _print(report: Report, fmt: str, applied: bool) -> None:
    if fmt == "json":
        print(json.dumps({"checked": report.checked, "applied": report.applied, "problems": report.problems,
                          "findings": [{**asdict(f), "plan": asdict(f.plan), "change": f.plan.describe()}
                                       for f in report.findings]}, indent=1, default=str))
        return
    for f in report.findings:
        who = f"root account {f.home}" if f.home else "root account deleted"
        print(f"{f.provider}: {f.account} ({who}): {'applied' if applied else 'to do'}: {f.plan.describe()}"
              f"\n    rule: {f.rule}")
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    verb = "synchronised" if applied else "differ"
    print(f"{report.checked} access accounts checked, {len(report.findings)} {verb}"
          + (f" ({report.applied} written)" if applied else ""))


def _check(args: argparse.Namespace) -> int:
    from trustcircle.consistency.checker import run

    admin, federation, _ = _context(args)
    report = run(admin, federation, apply=False)
    _print(report, args.format, applied=False)
    return 2 if report.problems else (1 if report.findings else 0)


def _sync(args: argparse.Namespace) -> int:
    from trustcircle.consistency import snapshot
    from trustcircle.consistency.accounts import Link
    from trustcircle.consistency.checker import run

    admin, federation, state = _context(args)

    def save_first(link: Link) -> None:
        if not snapshot.path(state, federation, link.provider).exists():
            saved, count = snapshot.take(admin, state, federation, link.provider)
            print(f"initial values of {count} access accounts of {link.provider} saved first: {saved}")

    report = run(admin, federation, apply=True, before_first_write=save_first)
    _print(report, args.format, applied=True)
    return 2 if report.problems else 0


def _snapshot(args: argparse.Namespace) -> int:
    from trustcircle.consistency import snapshot

    admin, federation, state = _context(args)
    saved, count = snapshot.take(admin, state, federation, args.provider)
    print(f"initial values of {count} access accounts of {args.provider} saved: {saved} (mode 0600)")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from trustcircle.consistency import snapshot

    admin, federation, state = _context(args)
    result = snapshot.rollback(admin, snapshot.path(state, federation, args.provider))
    for name in result.restored:
        print(f"restored: {name}")
    for problem in result.problems:
        print(f"problem: {problem}", file=sys.stderr)
    print(f"{len(result.restored)} access accounts restored, {result.unchanged} already as saved")
    if result.clients:
        print("applications reached by the restored accounts: " + ", ".join(sorted(result.clients)))
    return 2 if result.problems else 0


def _forget(args: argparse.Namespace) -> int:
    from trustcircle.consistency import snapshot

    _, federation, state = _context(args)
    target = snapshot.path(state, federation, args.provider)
    target.unlink(missing_ok=True)
    print(f"deleted {target}: the initial values of {args.provider} can no longer be restored")
    return 0


def add_consistency_commands(sub: Any) -> None:
    cons = sub.add_parser("consistency", help="access accounts at the providers against their root accounts at home "
                          "(docs/consistency.md)").add_subparsers(dest="action", required=True)
    check = cons.add_parser("check", help="every difference and the rule that applies; exit 1 when any, 2 on problems")
    sync = cons.add_parser("sync", help="apply what the rules say (the initial values are saved first)")
    for cmd, func in ((check, _check), (sync, _sync)):
        cmd.add_argument("--format", choices=["text", "json"], default="text")
        cmd.set_defaults(func=func)
    snap = cons.add_parser("snapshot", help="save a provider realm's access accounts (before the first sync)")
    back = cons.add_parser("rollback", help="put back the saved initial values; name the applications concerned")
    forget = cons.add_parser("forget", help="delete a provider realm's saved initial values (personal data)")
    for cmd, func in ((snap, _snapshot), (back, _rollback), (forget, _forget)):
        cmd.add_argument("--provider", default="cnaf", help="the provider realm (default: cnaf)")
        cmd.set_defaults(func=func)
    for cmd in (sync, back):  # they change accounts: a refusal says nothing was applied
        cmd.set_defaults(applies=True)
    for cmd in (check, sync, snap, back, forget):
        cmd.add_argument("--realms", default="realms", help="the model: which federation (default: realms)")
