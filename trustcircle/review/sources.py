"""Where ``trustcircle diff`` reads ``realms/`` from: two sides of the repository it runs in.

A side is a git revision (read with ``git archive``) or the working tree (uncommitted and untracked
files included). ``A..B`` compares the two revisions, ``A...B`` what ``B`` changed since it forked
from ``A`` (a pull request), ``A`` alone the revision against the working tree. A revision that does
not exist, a directory that is not a git repository or an empty range is a :class:`DiffArgumentError`
(exit 2) or :class:`EmptyRange` (exit 3), never a traceback.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from trustcircle.errors import TrustcircleError

GIT_TIMEOUT_S = 60
WORKTREE = "the working tree"


class DiffArgumentError(TrustcircleError):
    """A revision, repository or path given to ``diff`` does not exist."""

    exit_code = 2


class EmptyRange(TrustcircleError):
    """Both sides of the range are the same commit: nothing to compare."""

    exit_code = 3


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a commit (its name as given and its id), or the working tree."""

    label: str
    commit: str | None = None  # None: the working tree


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=GIT_TIMEOUT_S, check=False)


def repository(start: Path) -> Path:
    """The top of the git repository ``start`` is in."""
    done = _git(start, "rev-parse", "--show-toplevel")
    if done.returncode != 0:
        raise DiffArgumentError(f"{start} is not in a git repository",
                                "run diff inside the repository that holds realms/, or name it with --repo")
    return Path(done.stdout.decode().strip())


def _commit(repo: Path, revision: str) -> str:
    done = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0 or not revision:
        raise DiffArgumentError(f"revision {revision!r} does not exist in {repo}",
                                "name a branch, tag or commit that exists (git log --oneline --all lists them); "
                                "in a shallow clone, fetch the base first (git fetch origin main)")
    return done.stdout.decode().strip()


def _merge_base(repo: Path, a: str, b: str) -> str:
    done = _git(repo, "merge-base", a, b)
    if done.returncode != 0:
        raise DiffArgumentError(f"{a[:12]} and {b[:12]} have no common ancestor",
                                "compare them directly with A..B, or fetch the whole history (fetch-depth: 0)")
    return done.stdout.decode().strip()


def sides(repo: Path, spec: str, worktree: bool = False) -> tuple[Side, Side]:
    """The two sides ``spec`` names (see the module's docstring)."""
    three = "..." in spec
    base, sep, head = spec.partition("..." if three else "..")
    if worktree and sep:
        raise DiffArgumentError(f"--worktree compares one revision with the working tree, not the range {spec!r}",
                                "give one revision (e.g. HEAD) with --worktree, or drop --worktree")
    if not sep:
        return Side(_short(base), _commit(repo, base)), Side(WORKTREE)
    base, head = base or "HEAD", head or "HEAD"
    before, after = _commit(repo, base), _commit(repo, head)
    if three:
        before = _merge_base(repo, before, after)
    if before == after:
        raise EmptyRange(f"the range {spec!r} is empty: {base} and {head} are the same commit ({after[:12]})",
                         "compare your branch with its base (e.g. origin/main...HEAD), or your uncommitted "
                         "changes with: trustcircle diff HEAD")
    return Side(_short(base) + ("..." if three else ""), before), Side(_short(head), after)


def _short(revision: str) -> str:
    """A commit id as git abbreviates it; a name as given."""
    return revision[:12] if len(revision) == 40 and all(c in "0123456789abcdef" for c in revision) else revision


def realms_at(repo: Path, side: Side, realms: str, into: Path) -> Path | None:
    """The directory holding ``realms`` on this side (extracted under ``into``), or None if it has none."""
    if side.commit is None:
        found = repo / realms
        return found if found.is_dir() else None
    done = _git(repo, "archive", "--format=tar", side.commit, "--", realms)
    if done.returncode != 0:
        if b"did not match" in done.stderr:  # no such path at that commit
            return None
        raise DiffArgumentError(f"cannot read {realms} at {side.label}: {done.stderr.decode().strip()}",
                                "check the repository with git fsck, then run again")
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(into, filter="data")
    return into / realms
