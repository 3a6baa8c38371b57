"""Validating one document so that one mistake does not hide the others (all in one run).

A misspelt key (``manged_by``) is reported with the key it probably means, then read as that key,
so the file's other problems are found in the same run. An unknown key with no likely meaning
is reported and left out. An optional value that is wrong is reported and left out too, and the
mapping holding it is marked *degraded*: findings of later rules in that mapping are not shown,
since they could follow from the value left out. A date that is not one is read as a placeholder
and the file's date rules (TC4xx) are withheld, so that the other rules still run. When another
required value is wrong, the object is broken: its field errors are all reported, and later rules
skip it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap

from trustcircle.model.issues import Issue
from trustcircle.model.messages import suggest, translate
from trustcircle.model.nodes import KeyPath, child, drop, locate, model_at, plain, rename, tree_at, without_tags

MAX_ROUNDS = 4
STRUCTURAL = {"missing", "extra_forbidden", "union_tag_not_found"}
PLACEHOLDER_DATE = "0001-01-01"  # only ever read by the date rules, withheld for the file
Renames = dict[tuple[tuple[str | int, ...], str], str]


@dataclass
class Outcome:
    obj: BaseModel | None
    issues: list[Issue] = field(default_factory=list)
    degraded: set[str] = field(default_factory=set)  # key paths of mappings where a wrong value was left out
    withheld: set[str] = field(default_factory=set)  # rule id prefixes not to report for the file


@dataclass
class _Document:
    name: str
    kind: str
    model: type[BaseModel]
    root: CommentedMap
    outcome: Outcome = field(default_factory=lambda: Outcome(None))
    seen: set[tuple[tuple[str | int, ...], str]] = field(default_factory=set)

    def issue(self, loc: KeyPath, rule: str, message: str, hint: str) -> None:
        line, col = locate(self.root, [self.kind, *loc])
        self.outcome.issues.append(Issue(self.name, line, col, ".".join(map(str, [self.kind, *loc])), rule,
                                         message, hint))


def _fields(model: type[BaseModel], data: Any, path: KeyPath) -> dict[str, Any]:
    found = model_at(model, data, path)
    return dict(found.model_fields) if found is not None else {}


def _misspellings(doc: _Document, data: Any, located: list[tuple[KeyPath, ErrorDetails]]) -> Renames:
    """Unknown keys that most probably mean a field absent from their mapping."""
    renames: Renames = {}
    for loc, error in located:
        if error["type"] == "extra_forbidden" and loc:
            mapping, key = loc[:-1], str(loc[-1])
            present = child_keys(data, mapping)
            meant = suggest(key, [f for f in _fields(doc.model, data, mapping) if f not in present])
        elif error["type"] == "union_tag_not_found":
            mapping, tag = loc, str(error.get("ctx", {}).get("discriminator", "")).strip("'")
            keys = child_keys(data, mapping)
            key = next((k for k in keys if suggest(k, [tag]) == tag), "")
            meant = tag if key and tag not in keys else None
        else:
            continue
        if meant is not None and meant not in renames.values():
            renames[(tuple(mapping), key)] = meant
    return _lone_pairs(located, renames)


def _lone_pairs(located: list[tuple[KeyPath, ErrorDetails]], renames: Renames) -> Renames:
    """In a mapping with one unknown key left and one required key missing, the one means the other
    (``nom`` for ``name``), however different their spelling."""
    extra: dict[tuple[str | int, ...], list[str]] = {}
    missing: dict[tuple[str | int, ...], list[str]] = {}
    for loc, error in located:
        if loc and error["type"] in ("extra_forbidden", "missing"):
            mapping, key = tuple(loc[:-1]), str(loc[-1])
            if (mapping, key) not in renames and key not in renames.values():
                (extra if error["type"] == "extra_forbidden" else missing).setdefault(mapping, []).append(key)
    for mapping, keys in extra.items():
        if len(keys) == 1 and len(missing.get(mapping, [])) == 1:
            renames[(mapping, keys[0])] = missing[mapping][0]
    return renames


def child_keys(data: Any, path: KeyPath) -> list[str]:
    node = data
    for part in path:
        node = child(node, part)
    return list(node) if isinstance(node, dict) else []


def _report(doc: _Document, data: Any, located: list[tuple[KeyPath, ErrorDetails]], renames: Renames) -> None:
    meant = {(mapping, new) for (mapping, _), new in renames.items()}
    for loc, error in located:
        kind, signature = error["type"], (tuple(loc), error["type"])
        mapping = tuple(loc[:-1])
        if signature in doc.seen or (kind == "missing" and (mapping, str(loc[-1])) in meant) or (
                kind == "union_tag_not_found" and any(m == tuple(loc) for m, _ in renames)):
            continue
        doc.seen.add(signature)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            new = renames.get((mapping, key))
            allowed = sorted(_fields(doc.model, data, list(mapping)))
            hint = f"did you mean {new!r}? (read as {new} for now)" if new else (
                "remove it; allowed here: " + ", ".join(allowed) if allowed else "remove it")
            doc.issue(loc, "TC011", f"unknown key {key!r}", hint)
            continue
        fields = _fields(doc.model, data, list(mapping))
        description = getattr(fields.get(str(loc[-1])) if loc else None, "description", None)
        doc.issue(loc, *translate(error, description))
    for (mapping, key), new in renames.items():
        if not any(tuple(loc[:-1]) == mapping and str(loc[-1]) == key for loc, _ in located):
            doc.issue([*mapping, key], "TC011", f"unknown key {key!r}", f"did you mean {new!r}? (read as {new} "
                                                                        "for now)")


def _optional_ancestor(doc: _Document, data: Any, loc: KeyPath) -> KeyPath | None:
    """The deepest key of ``loc`` whose field is optional: leaving it out keeps the object valid."""
    for end in range(len(loc), 0, -1):
        key = loc[end - 1]
        if isinstance(key, str):
            spec = _fields(doc.model, data, loc[:end - 1]).get(key)
            if spec is not None and not spec.is_required():
                return loc[:end]
    return None


def _repair(doc: _Document, data: Any, located: list[tuple[KeyPath, ErrorDetails]], renames: Renames) -> bool:
    node = doc.root[doc.kind]
    for (mapping, old), new in renames.items():
        rename(tree_at(node, mapping), old, new)
    changed = bool(renames)
    for loc, error in located:
        holder = tree_at(node, loc[:-1]) if loc else None
        if error["type"] == "extra_forbidden" and isinstance(holder, CommentedMap) and (
                tuple(loc[:-1]), str(loc[-1])) not in renames:
            drop(holder, str(loc[-1]))
            changed = True
        elif error["type"].startswith("date") and isinstance(holder, CommentedMap) and str(loc[-1]) in holder:
            holder[str(loc[-1])] = PLACEHOLDER_DATE
            doc.outcome.withheld.add("TC4")
            changed = True
        elif error["type"] not in STRUCTURAL and (key := _optional_ancestor(doc, data, loc)) is not None:
            holder = tree_at(node, key[:-1])
            if isinstance(holder, CommentedMap) and any(str(k) == str(key[-1]) for k in holder):
                drop(holder, str(key[-1]))
                doc.outcome.degraded.add(".".join(map(str, [doc.kind, *key[:-1]])))
                changed = True
    return changed


def validate(name: str, kind: str, model: type[BaseModel], root: CommentedMap) -> Outcome:
    """The object of ``root[kind]`` (None when broken), with every field error of the document."""
    doc = _Document(name, kind, model, root)
    for _ in range(MAX_ROUNDS):
        data = plain(root[kind])
        try:
            doc.outcome.obj = model.model_validate(data)
            return doc.outcome
        except ValidationError as err:
            located = [(without_tags(data, e["loc"]), e) for e in err.errors()]
        renames = _misspellings(doc, data, located)
        _report(doc, data, located, renames)
        if not _repair(doc, data, located, renames):
            break
    return doc.outcome
