"""One file of ``realms/`` into one model object, every problem located.

Each YAML file holds one document with one top-level key naming its kind (``federation``,
``provider``, ``organisation`` or ``convention``) and optionally ``$schema``. A file goes through
the checks in order: reading (links, size, encoding, invisible characters), YAML features that
hide meaning, syntax, kind and place, then the model's fields. A file without a valid object is
*broken*: later rules skip it, and references to its id are not reported as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from trustcircle.model.characters import check_characters, decode
from trustcircle.model.files import FEDERATION_FILE, FOLDERS, Tree, read
from trustcircle.model.issues import Issue
from trustcircle.model.messages import suggest
from trustcircle.model.nodes import locate, rename
from trustcircle.model.schema import Convention, FederationSettings, Organisation, Provider
from trustcircle.model.tolerant import validate
from trustcircle.model.yamlscan import LOADER, scan

KINDS: dict[str, type[BaseModel]] = {
    "federation": FederationSettings,
    "provider": Provider,
    "organisation": Organisation,
    "convention": Convention,
}


class Located:
    """A model object with the file and YAML node it came from, to locate later findings."""

    def __init__(self, file: str, kind: str, root: CommentedMap, obj: BaseModel) -> None:
        self.file, self.kind, self.root, self.obj = file, kind, root, obj

    def where(self, path: list[str | int]) -> tuple[int, int]:
        """Location of a key path below the document's kind (a missing key: its nearest parent)."""
        return locate(self.root, [self.kind, *path])


@dataclass
class Loaded:
    """What one file turned out to be: its kind and id when readable, its object when valid."""

    file: Path
    kind: str | None = None
    id: str | None = None
    located: Located | None = None
    degraded: set[str] = field(default_factory=set)
    withheld: set[str] = field(default_factory=set)


def _yaml() -> YAML:
    """A round-trip loader (it keeps line and column) that leaves dates as strings, so that the
    model validates them and an impossible date is a located error rather than a crash."""
    loader = YAML(typ="rt")
    loader.constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                       lambda constructor, node: constructor.construct_scalar(node))
    return loader


def _syntax_issue(name: str, err: Exception) -> Issue:
    mark = (err.problem_mark or err.context_mark) if isinstance(err, MarkedYAMLError) else None
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = err.problem if isinstance(err, MarkedYAMLError) else str(err).splitlines()[0]
    duplicate = re.match(r'found duplicate key "(.*?)"', str(problem))
    if duplicate:
        return Issue(name, line, col, "$", "TC002", f"key {duplicate.group(1)!r} appears twice in this mapping",
                     "keep one: of two, one value would be silently ignored")
    return Issue(name, line, col, "$", "TC002", f"not valid YAML: {problem}",
                 "fix the YAML syntax at that position (indent with spaces, no duplicate keys)")


def _parse(name: str, text: str, issues: list[Issue] | None) -> Any:
    try:
        return _yaml().load(text)
    except (YAMLError, ValueError, RecursionError) as err:  # ValueError: a number Python refuses to convert
        if issues is not None:
            issues.append(_syntax_issue(name, err))
        return None


def _kind(name: str, node: Any, issues: list[Issue]) -> str | None:
    """The document's kind; a misspelt kind key is reported with its likely meaning, then read as it."""
    if not isinstance(node, CommentedMap) or not node:
        issues.append(Issue(name, 1, 1, "$", "TC003", "a file must hold exactly one of: " + ", ".join(KINDS),
                            "start the file with `convention:` (or organisation/provider/federation)"))
        return None
    kinds = [k for k in KINDS if k in node]
    for key in [str(k) for k in node if k not in KINDS and k != "$schema"]:
        meant = suggest(key, KINDS) if not kinds else None
        line, col = locate(node, [key])
        hint = f"did you mean {meant!r}?" if meant else "a file holds one of: " + ", ".join(KINDS) + " (and $schema)"
        issues.append(Issue(name, line, col, key, "TC011" if meant or kinds else "TC003",
                            f"unknown top-level key {key!r}", hint))
        if meant:
            rename(node, key, meant)
            kinds = [meant]
    if len(kinds) > 1:
        line, col = locate(node, [kinds[1]])
        issues.append(Issue(name, line, col, kinds[1], "TC003", f"a file holds one kind; this one has {kinds[0]} "
                            f"and {kinds[1]}", "move each to a file of its own"))
    elif not kinds and not any(i.file == name and i.rule == "TC003" for i in issues):
        issues.append(Issue(name, 1, 1, "$", "TC003", "a file must hold exactly one of: " + ", ".join(KINDS),
                            "start the file with `convention:` (or organisation/provider/federation)"))
    return kinds[0] if len(kinds) == 1 else None


def _place(loaded: Loaded, tree: Tree, issues: list[Issue]) -> None:
    """Each kind in its folder: a misplaced file is named, and still read (its content is not at fault)."""
    if tree.root is None or loaded.kind is None:
        return
    parts = loaded.file.relative_to(tree.root).parts
    if loaded.kind == "federation":
        ok, want = parts == (FEDERATION_FILE,), tree.root / FEDERATION_FILE
    else:
        ok, want = len(parts) == 2 and parts[0] == FOLDERS[loaded.kind], tree.root / FOLDERS[loaded.kind]
    if not ok:
        issues.append(Issue(str(loaded.file), 1, 1, loaded.kind, "TC016", f"a {loaded.kind} file in the wrong "
                            f"place: it belongs {'at' if loaded.kind == 'federation' else 'in'} {want}",
                            "move the file there (git mv): trustcircle finds each kind in its place"))


def _raw_id(node: Any, kind: str) -> str | None:
    body = node.get(kind) if isinstance(node, CommentedMap) else None
    value = body.get("id") if isinstance(body, CommentedMap) else None
    return value if isinstance(value, str) else None


def _refused(loaded: Loaded, text: str, tree: Tree, issues: list[Issue]) -> Loaded:
    """A file refused for its YAML features: its kind and id, read from the node graph without
    constructing anything, so that references to it are not reported as unknown too."""
    try:
        root = yaml.compose(text, Loader=LOADER)
    except yaml.YAMLError:
        return loaded
    pairs = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)} if isinstance(
        root, yaml.MappingNode) else {}
    kinds = [k for k in KINDS if k in pairs]
    if len(kinds) == 1:
        loaded.kind = kinds[0]
        body = pairs[loaded.kind]
        ids = [v.value for k, v in body.value if k.value == "id" and isinstance(v, yaml.ScalarNode)] if isinstance(
            body, yaml.MappingNode) else []
        loaded.id = ids[0] if ids else None
        _place(loaded, tree, issues)
    return loaded


def load_file(path: Path, tree: Tree, issues: list[Issue]) -> Loaded:
    """One file through every check; its object only when valid (possibly after repairs)."""
    name, loaded = str(path), Loaded(path)
    data = read(path, issues)
    text = decode(name, data, issues) if data is not None else None
    if text is None or not check_characters(name, text, issues):
        return loaded
    found = scan(name, text)
    issues.extend(found.issues)
    if found.unparseable or found.stops:
        return loaded if found.unparseable else _refused(loaded, text, tree, issues)
    node = _parse(name, text, issues)
    if node is not None and found.syntax_error is not None:
        issues.append(found.syntax_error)
        return loaded
    if node is None and not any(i.file == name for i in issues):
        issues.append(Issue(name, 1, 1, "$", "TC003", "the file is empty", "write its content, or remove the file"))
        return loaded
    loaded.kind = _kind(name, node, issues) if node is not None else None
    if loaded.kind is None:
        return loaded
    loaded.id = _raw_id(node, loaded.kind)
    _place(loaded, tree, issues)
    outcome = validate(name, loaded.kind, KINDS[loaded.kind], node)
    issues.extend(outcome.issues)
    if outcome.obj is not None:
        loaded.located = Located(name, loaded.kind, node, outcome.obj)
        loaded.degraded, loaded.withheld = outcome.degraded, outcome.withheld
    return loaded
