"""Load ``realms/`` into the model, reporting every problem at once with its location.

Each YAML file holds one document with one top-level key naming its kind (``federation``,
``provider``, ``organisation`` or ``convention``) and optionally ``$schema``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from trustcircle.model.issues import Issue, ValidationFailed
from trustcircle.model.rules import check_rules
from trustcircle.model.schema import Convention, Federation, FederationSettings, Organisation, Provider

KINDS: dict[str, type[BaseModel]] = {
    "federation": FederationSettings,
    "provider": Provider,
    "organisation": Organisation,
    "convention": Convention,
}
MAX_FILE_BYTES = 1_000_000


class Located:
    """A model object with the file and YAML node it came from, to locate later findings."""

    def __init__(self, file: str, kind: str, root: CommentedMap, obj: BaseModel) -> None:
        self.file, self.kind, self.root, self.obj = file, kind, root, obj

    def where(self, path: Sequence[str | int]) -> tuple[int, int]:
        """Location of a key path below the document's kind (a missing key: its nearest parent)."""
        return locate(self.root, [self.kind, *path])


def locate(node: Any, path: Sequence[str | int]) -> tuple[int, int]:
    """1-based line and column of the deepest node of ``path`` that exists."""
    line, col = (node.lc.line, node.lc.col) if hasattr(node, "lc") else (0, 0)
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            line, col = node.lc.key(key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
            line, col = node.lc.item(key)
            node = node[key]
        else:
            break
    return line + 1, col + 1


def _plain(node: Any) -> Any:
    if isinstance(node, CommentedMap):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def yaml_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files.extend(sorted(path.rglob("*.yaml")) if path.is_dir() else [path])
    return files


def _yaml() -> YAML:
    """A round-trip loader (it keeps line and column) that leaves dates as strings, so that the
    model validates them and an impossible date is a located error rather than a crash."""
    loader = YAML(typ="rt")
    loader.constructor.add_constructor("tag:yaml.org,2002:timestamp",
                                       lambda constructor, node: constructor.construct_scalar(node))
    return loader


def _first_alias(text: str) -> tuple[int, int] | None:
    """Line and column of the first alias, found by streaming parser events (no expansion)."""
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1) if mark else (1, 1)
    except yaml.YAMLError:
        return None  # the syntax error is reported by the full load
    return None


DISCRIMINATORS = ("protocol", "type")


def _without_tags(node: Any, loc: Sequence[str | int]) -> list[str | int]:
    """Pydantic's error location without the tags of discriminated unions (``services.0.oidc.x``
    is ``services.0.x`` in the file)."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(node, dict) and part not in node and part in {str(node.get(d)) for d in DISCRIMINATORS}:
            continue
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    return out


def _load_file(path: Path, issues: list[Issue]) -> Located | None:
    name = str(path)
    if not path.is_file():
        issues.append(Issue(name, 1, 1, "$", "TC006", "no such file or directory",
                            "check the path given to trustcircle validate"))
        return None
    if path.stat().st_size > MAX_FILE_BYTES:
        issues.append(Issue(name, 1, 1, "$", "TC001", f"file is larger than {MAX_FILE_BYTES} bytes",
                            "split it: one organisation, provider or convention per file"))
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    alias = _first_alias(text)
    if alias is not None:
        issues.append(Issue(name, alias[0], alias[1], "$", "TC005", "YAML anchors and aliases are not allowed",
                            "write each value out in full (aliases can hide content and explode in size)"))
        return None
    try:
        node = _yaml().load(text)
    except YAMLError as err:
        mark = (err.problem_mark or err.context_mark) if isinstance(err, MarkedYAMLError) else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = err.problem if isinstance(err, MarkedYAMLError) else str(err).splitlines()[0]
        issues.append(Issue(name, line, col, "$", "TC002", f"not valid YAML: {problem}",
                            "fix the YAML syntax at that position (indent with spaces, no duplicate keys)"))
        return None
    kinds = [k for k in KINDS if isinstance(node, CommentedMap) and k in node]
    extra = [k for k in (node or {}) if k not in KINDS and k != "$schema"] if isinstance(node, CommentedMap) else []
    if len(kinds) != 1 or extra:
        issues.append(Issue(name, 1, 1, "$", "TC003", "a file must hold exactly one of: " + ", ".join(KINDS),
                            "start the file with `convention:` (or organisation/provider/federation)"))
        return None
    kind = kinds[0]
    try:
        obj = KINDS[kind].model_validate(_plain(node[kind]))
    except ValidationError as err:
        for e in err.errors():
            loc = [kind, *_without_tags(node[kind], e["loc"])]
            line, col = locate(node, loc)
            issues.append(Issue(name, line, col, ".".join(map(str, loc)), "TC010", e["msg"],
                                "see docs/reference for the field's type and allowed values"))
        return None
    return Located(name, kind, node, obj)


def load_federation(paths: Iterable[str | Path]) -> Federation:
    """Load and validate; raise :class:`ValidationFailed` listing every problem."""
    paths = list(paths)
    issues: list[Issue] = []
    files = yaml_files(paths)
    loaded = [item for item in (_load_file(f, issues) for f in files) if item is not None]
    by_kind: dict[type[BaseModel], list[Located]] = {cls: [] for cls in KINDS.values()}
    for item in loaded:
        by_kind[type(item.obj)].append(item)
    settings = by_kind[FederationSettings]
    if len(settings) != 1 and not issues:
        issues.append(Issue(str(next(iter(map(str, paths)), "realms")), 1, 1, "$", "TC004",
                            f"expected exactly one `federation:` file, found {len(settings)}",
                            "keep the federation settings in one file, e.g. realms/federation.yaml"))
    issues.extend(check_rules(settings, by_kind[Provider], by_kind[Organisation], by_kind[Convention]))
    if issues:
        raise ValidationFailed(issues)
    return Federation(
        settings=settings[0].obj,
        providers=tuple(i.obj for i in by_kind[Provider]),
        organisations=tuple(i.obj for i in by_kind[Organisation]),
        conventions=tuple(i.obj for i in by_kind[Convention]),
    )
