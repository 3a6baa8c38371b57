"""Argument types and long help texts of the command line: a bad value is an argparse error (exit 2,
the expected form named), never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt

DATE_FORM = "YYYY-MM-DD"


def iso_date(text: str) -> dt.date:
    """A calendar date as written in ``realms/`` (ISO 8601, e.g. 2026-11-22)."""
    try:
        if len(text) == len(DATE_FORM):  # 3.11 also reads 20261122 and 2026-W47-7: not what realms/ holds
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date written {DATE_FORM} (e.g. 2026-11-22)")


def today() -> dt.date:
    return dt.date.today()


DIFF_DESCRIPTION = """\
Every change to realms/ between two sides of the git repository it runs in, in plain language,
grouped by organisation: the access in effect that each organisation gains or loses on the date,
then every change in the files (access, applications and scopes, certificates and keys,
encryption and signing, identity providers and metadata, identities and access accounts,
e-services, administrators and verifiers, policies, federation settings, doctrine). A change it
cannot classify is listed as "unclassified change at <file>: <key path>", never left out."""

DIFF_EPILOG = """\
examples:
  trustcircle diff                      HEAD against the working tree (uncommitted changes)
  trustcircle diff origin/main...HEAD   what this branch changes (a pull request)
  trustcircle diff v1..v2 --format markdown

exit codes:
  0  the changes are listed (or there are none)
  1  realms/ does not validate on a side (its changes are still listed)
  2  a bad argument: a revision, repository or path that does not exist
  3  an empty range: both sides are the same commit"""
