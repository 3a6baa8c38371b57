"""``trustcircle diff A..B``: the access changes between two git revisions, in plain language.

Both revisions' ``realms/`` are read from git (``git archive``), validated and turned into access
matrices; the sentences say what each organisation gains or loses, suitable for a pull-request
comment. Only what takes effect counts: an amendment awaiting verification is reported as pending.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from trustcircle.errors import TrustcircleError
from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation
from trustcircle.review.matrix import Access, access_rows, pending
from trustcircle.settings import REPO_ROOT

GIT_TIMEOUT_S = 60
Key = tuple[str, str, str]


def federation_at(revision: str, repo: Path = REPO_ROOT) -> Federation:
    """The validated federation of ``realms/`` at a git revision."""
    result = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", revision, "realms"],
                            capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
    if result.returncode != 0:
        raise TrustcircleError(f"cannot read realms/ at {revision!r}: {result.stderr.decode().strip()}",
                               "name a revision that exists, e.g. origin/main..HEAD")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(tmp, filter="data")
        try:
            return load_federation([Path(tmp) / "realms"])
        except ValidationFailed as failed:  # name the files as revision:path, not the temporary copy
            raise ValidationFailed([dataclasses.replace(i, file=f"{revision}:{Path(i.file).relative_to(tmp)}")
                                    for i in failed.issues]) from None


def _by_key(rows: list[Access]) -> dict[Key, Access]:
    return {(r.organisation, r.service, r.rubrique): r for r in rows}


def _groups(rows: list[Access]) -> dict[tuple[str, str], tuple[str, str]]:
    return {(r.organisation, r.service): (r.organisation_name, r.groups) for r in rows}


def _who(groups: str) -> str:
    return "the agents of " + ", ".join(groups.split()) if groups else "every agent"


def sentences(before: Federation, after: Federation, on: dt.date) -> list[str]:
    old, new = _by_key(access_rows(before, on)), _by_key(access_rows(after, on))
    lines: list[str] = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a is None and b is not None:
            lines.append(f"{b.organisation_name} gains rubrique {b.rubrique} on {b.service} for profile {b.profile} "
                         f"from {b.valid_from} until {b.valid_until} ({b.convention}, amendment {b.amendment}).")
        elif b is None and a is not None:
            lines.append(f"{a.organisation_name} loses rubrique {a.rubrique} on {a.service} ({a.convention}).")
        elif a is not None and b is not None:
            if (a.valid_from, a.valid_until) != (b.valid_from, b.valid_until):
                lines.append(f"{b.organisation_name} keeps rubrique {b.rubrique} on {b.service}, now from "
                             f"{b.valid_from} until {b.valid_until} (was {a.valid_from} until {a.valid_until}).")
            if a.profile != b.profile:
                lines.append(f"{b.organisation_name} holds rubrique {b.rubrique} on {b.service} under profile "
                             f"{b.profile} (was {a.profile}).")
    old_groups, new_groups = _groups(access_rows(before, on)), _groups(access_rows(after, on))
    for org_service in sorted(set(old_groups) & set(new_groups)):
        (name, was), (_, now) = old_groups[org_service], new_groups[org_service]
        if was != now:
            lines.append(f"{name} now gives {org_service[1]} to {_who(now)} (was {_who(was)}).")
    old_pending = {(p.convention, p.state) for p in pending(before)}
    for item in pending(after):
        if (item.convention, item.state) not in old_pending:
            lines.append(f"{item.convention} ({item.organisation}): {item.state}; {item.detail}.")
    return lines


def render(revisions: str, on: dt.date, repo: Path = REPO_ROOT) -> str:
    base, _, head = revisions.partition("..")
    before, after = federation_at(base or "HEAD", repo), federation_at(head or "HEAD", repo)
    lines = sentences(before, after, on)
    title = f"Access changes {base or 'HEAD'}..{head or 'HEAD'} (validity as of {on})"
    body = [f"- {line}" for line in lines] or ["- No access changes."]
    return "\n".join([f"### {title}", "", *body]) + "\n"
