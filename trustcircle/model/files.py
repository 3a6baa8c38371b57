"""Which files make up realms/, and reading one as exactly what a reviewer sees.

The realms root is the nearest directory holding ``federation.yaml`` or a kind's folder (found by
walking up from the paths given, so that validating the files of one pull request still resolves
references against the rest of the tree) or the one given with ``--realms``. Under it, only regular ``*.yaml`` files are
read: a symbolic link (to a file or a folder, inside or outside the tree) or a special file is
refused, and so is a YAML file with another extension, which would otherwise be silently ignored.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from trustcircle.model.issues import Issue

FEDERATION_FILE = "federation.yaml"
FOLDERS = {"provider": "providers", "organisation": "organisations", "convention": "conventions"}
MAX_FILE_BYTES = 1_000_000
IGNORED_LOOKALIKES = (".yml", ".json", ".yaml")  # compared lower-case: .YAML, .Yml… would be skipped too


def _absolute(path: Path) -> Path:
    """Absolute and without ``..``, without following links (a link must not move the root)."""
    return Path(os.path.normpath(os.path.abspath(path)))


def _is_root(directory: Path) -> bool:
    """A realms tree: the federation file, or one of the kinds' folders (its federation file missing)."""
    return (directory / FEDERATION_FILE).is_file() or any((directory / f).is_dir() for f in FOLDERS.values())


def find_root(path: Path) -> Path | None:
    """The nearest directory, from ``path`` upwards, that is a realms tree."""
    here = _absolute(path)
    return next((d for d in ([here, *here.parents] if here.is_dir() else here.parents) if _is_root(d)), None)


@dataclass
class Tree:
    """What to load (``files``), what the user asked about (``asked``) and what is wrong with the tree."""

    root: Path | None
    files: list[Path]
    asked: list[Path]
    issues: list[Issue] = field(default_factory=list)

    def in_scope(self, file: str) -> bool:
        """Whether a finding in ``file`` concerns a path the user asked about."""
        target = _absolute(Path(file))
        return any(target == asked or asked in target.parents for asked in self.asked)


def _shown(root_abs: Path, given: Path) -> Path:
    """The root as the user writes paths: relative when they gave relative paths."""
    return Path(os.path.relpath(root_abs)) if not given.is_absolute() else root_abs


def _link_issue(path: Path, root: Path | None) -> Issue:
    target = os.readlink(path)
    resolved = (path.parent / target).resolve()
    inside = root is not None and resolved.is_relative_to(root.resolve())
    where = "inside" if inside else "outside"
    return Issue(str(path), 1, 1, "$", "TC015", f"a symbolic link (to {target}, {where} realms/)",
                 "replace the link by the file itself: realms/ holds regular files only, so the pull request "
                 "shows everything that is applied")


def walk(directory: Path, root: Path | None, issues: list[Issue]) -> Iterator[Path]:
    """Regular ``*.yaml`` files below ``directory``; links, special files and look-alike names are issues."""
    for current, dirs, names in os.walk(directory, followlinks=False):
        here = Path(current)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                issues.append(_link_issue(here / name, root))
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink())
        for name in sorted(names):
            yield from _entry(here / name, root, issues)


def _entry(path: Path, root: Path | None, issues: list[Issue], explicit: bool = False) -> Iterator[Path]:
    if path.is_symlink():
        issues.append(_link_issue(path, root))
    elif path.suffix == ".yaml":
        yield path
    elif explicit or path.suffix.lower() in IGNORED_LOOKALIKES:
        issues.append(Issue(str(path), 1, 1, "$", "TC016", f"trustcircle reads only *.yaml files: {path.name} "
                            "would be ignored", f"rename it to {path.stem}.yaml"))


def collect(paths: Iterable[str | Path], realms: str | Path | None = None) -> Tree:
    """The files to load for ``paths``: the whole realms tree when one is found, else the paths alone."""
    given = [Path(p) for p in paths]
    issues: list[Issue] = []
    root_abs = _absolute(Path(realms)) if realms is not None else next(
        (r for r in map(find_root, given) if r is not None), None)
    asked = [_absolute(p) for p in given]
    for path, absolute in zip(given, asked, strict=True):
        if not path.exists() and not path.is_symlink():
            issues.append(Issue(str(path), 1, 1, "$", "TC006", "no such file or directory",
                                "check the path given to trustcircle validate"))
        elif root_abs is not None and not (absolute == root_abs or root_abs in absolute.parents):
            issues.append(Issue(str(path), 1, 1, "$", "TC016", f"not under the realms root {root_abs}",
                                "validate files of one realms/ tree (or name it with --realms)"))
    if root_abs is None:
        files = [f for p in given if p.exists() for f in (walk(p, None, issues) if p.is_dir() else
                                                             _entry(p, None, issues, explicit=True))]
        return Tree(None, files, asked, issues)
    root = _shown(root_abs, given[0] if given else Path(realms or "."))
    return Tree(root, list(walk(root, root, issues)), asked, issues)


def read(path: Path, issues: list[Issue]) -> bytes | None:
    """The file's bytes, at most :data:`MAX_FILE_BYTES`; never follows a link nor blocks on a pipe."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        issues.append(Issue(str(path), 1, 1, "$", "TC015" if path.is_symlink() else "TC006",
                            f"cannot be read: {err.strerror}", "give the path of a regular file"))
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            issues.append(Issue(str(path), 1, 1, "$", "TC015", "not a regular file (a pipe, device or socket)",
                                "realms/ holds regular files only"))
            return None
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        issues.append(Issue(str(path), 1, 1, "$", "TC001", f"file is larger than {MAX_FILE_BYTES} bytes",
                            "split it: one organisation, provider or convention per file"))
        return None
    return data
