"""``trustcircle diff``: every change to ``realms/`` between two sides of a repository, in plain
language, grouped by organisation, for the reviewer of a pull request.

Two parts, both complete: the *access in effect* (what each organisation gains or loses on the
date, from the validated federations: an amendment awaiting verification is pending, not a gain),
and *every change in the files* (:mod:`~trustcircle.review.structure` compares the two trees in
full; :mod:`~trustcircle.review.classify` says what each change is, or that it cannot say).
Exit codes: 0 the changes are listed (or there are none), 1 a side of ``realms/`` does not validate
(its changes are still listed), 2 a revision, repository or path does not exist, 3 an empty range.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation
from trustcircle.review.access import effective_changes
from trustcircle.review.classify import ORDER, sentence
from trustcircle.review.sources import Side, repository, sides
from trustcircle.review.sources import realms_at as _realms_at
from trustcircle.review.structure import Change, Document, compare, documents
from trustcircle.settings import REPO_ROOT

MARKER = "<!-- trustcircle diff -->"
FEDERATION_GROUP = ("0", "federation")


@dataclass
class Read:
    """One side: its documents, its federation when it validates, its problems when it does not."""

    side: Side
    documents: dict[tuple[str, str], Document]
    federation: Federation | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class Diff:
    before: Read
    after: Read
    on: dt.date
    realms: str
    lines: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)

    @property
    def invalid(self) -> bool:
        return bool(self.before.problems or self.after.problems)


def _read(repo: Path, side: Side, realms: str, tmp: Path) -> Read:
    root = _realms_at(repo, side, realms, tmp)
    read = Read(side, documents(root, realms))
    if root is None:
        read.problems.append(f"{realms}/ does not exist in {side.label}")
        return read
    try:
        read.federation = load_federation([root])
    except ValidationFailed as failed:
        read.problems.append(f"{realms}/ in {side.label} has {len(failed.issues)} problem(s), so its access in effect "
                             f"is not computed (trustcircle validate {realms}/ lists them)")
    return read


def federation_at(revision: str, repo: Path = REPO_ROOT, realms: str = "realms") -> Federation:
    """The validated federation of ``realms/`` at a git revision (files named ``revision:path``)."""
    side = sides(repo, revision)[0]
    with tempfile.TemporaryDirectory() as tmp:
        root = _realms_at(repo, side, realms, Path(tmp))
        try:
            return load_federation([root or Path(tmp) / realms])
        except ValidationFailed as failed:
            raise ValidationFailed([dataclasses.replace(i, file=f"{revision}:{Path(i.file).relative_to(tmp)}")
                                    for i in failed.issues]) from None


def _group(change: Change) -> tuple[str, str]:
    doc = change.document
    if doc.kind == "convention":
        raw = change.after if isinstance(change.after, dict) and not change.path else doc.raw
        return "2", str(raw.get("organisation", doc.ident)) if isinstance(raw, dict) else doc.ident
    return {"federation": FEDERATION_GROUP, "provider": ("1", doc.ident), "organisation": ("2", doc.ident)}.get(
        doc.kind, ("3", "files"))


def build(repo: Path, spec: str, on: dt.date, realms: str = "realms", worktree: bool = False) -> Diff:
    """Compare the two sides ``spec`` names (see :mod:`trustcircle.review.sources`)."""
    before_side, after_side = sides(repo, spec, worktree)
    with tempfile.TemporaryDirectory() as tmp:
        before = _read(repo, before_side, realms, Path(tmp) / "before")
        after = _read(repo, after_side, realms, Path(tmp) / "after")
    diff = Diff(before, after, on, realms)
    if before.federation is not None and after.federation is not None:
        for organisation, text in effective_changes(before.federation, after.federation, on):
            diff.lines.setdefault(("2", organisation), []).append((-1, f"In effect: {text}"))
    diff.changes = compare(before.documents, after.documents)
    for change in diff.changes:
        kind, text = sentence(change)
        diff.lines.setdefault(_group(change), []).append((ORDER.index(kind), text))
    return diff


def _title(diff: Diff, group: tuple[str, str]) -> str:
    if group == FEDERATION_GROUP:
        return "Federation"
    kind = {"1": "provider", "2": "organisation"}.get(group[0])
    for read in (diff.after, diff.before):
        doc = read.documents.get((kind, group[1])) if kind else None
        if doc is not None and isinstance(doc.raw, dict) and doc.raw.get("name"):
            return f"{doc.raw['name']} ({group[1]})"
    return "Other files" if group[0] == "3" else group[1]


def render(spec: str, on: dt.date, repo: Path | None = None, *, realms: str = "realms", worktree: bool = False,
           fmt: str = "text") -> tuple[str, int]:
    """(the report, the exit code) for ``trustcircle diff spec``."""
    diff = build(repository(repo or Path.cwd()), spec, on, realms, worktree)
    return report(diff, fmt), 1 if diff.invalid else 0


def report(diff: Diff, fmt: str = "text") -> str:
    """The diff as text, or as Markdown for a pull-request comment."""
    markdown, on, realms = fmt == "markdown", diff.on, diff.realms
    title = f"Changes to {realms}/ from {diff.before.side.label} to {diff.after.side.label} (access in effect on {on})"
    out = [MARKER, f"### {title}"] if markdown else [title]
    out += [f"\n**Note:** {p}." if markdown else f"\nnote: {p}." for p in diff.before.problems + diff.after.problems]
    for group in sorted(diff.lines):
        lines = [text for _, text in sorted(diff.lines[group], key=lambda item: item[0])]
        out += ["", f"#### {_title(diff, group)}" if markdown else _title(diff, group), *(f"- {t}" for t in lines)]
    if not diff.lines:
        out += ["", f"- No change to {realms}/."]
    return "\n".join(out) + "\n"
