"""The complete structural comparison under ``trustcircle diff``: every difference between two
``realms/`` trees, none filtered out.

Each file is read as one document, named by its kind and id (so a moved file is a move, not a removal
and an addition). When both sides of a document satisfy the model, their model dumps are compared
(defaults filled in, so writing a default out changes nothing); otherwise the YAML as written is.
Lists of objects are matched by their key (``id``, an amendment's ``number``, a form's ``service``),
lists of values compared as sets: order carries no meaning in ``realms/``. What a change means is
:mod:`trustcircle.review.classify`'s business, not this module's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trustcircle.model.document import KINDS

LIST_KEYS = ("id", "number", "service")
FILE_MOVED = "(file)"


class Missing:
    """The value on a side where a key, item or document does not exist."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = Missing()


@dataclass(frozen=True)
class Document:
    kind: str  # federation, provider, organisation, convention, or "file" when it has no known kind
    ident: str
    file: str  # path relative to the repository
    raw: Any  # the YAML as written (JSON-like: dates as ISO text)
    normalised: Any  # the model's dump, or None when the document does not satisfy the model


@dataclass(frozen=True)
class Change:
    """One difference: ``path`` is the key path below the document's kind; ``[key]`` segments name list items."""

    document: Document
    path: tuple[str, ...]
    before: Any
    after: Any

    @property
    def schema_path(self) -> str:
        """The path through the model, without list keys: ``convention.amendments.forms.rubriques``."""
        return ".".join([self.document.kind, *(p for p in self.path if not p.startswith("["))])

    @property
    def key_path(self) -> str:
        return "".join(p if p.startswith("[") else f".{p}" for p in (self.document.kind, *self.path)).lstrip(".")


def _plain(value: Any) -> Any:
    """YAML values as JSON would hold them (dates as ISO text), so both readings compare alike."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _document(path: Path, name: str) -> Document:
    text = path.read_bytes()
    try:
        data = _plain(yaml.safe_load(text))
    except yaml.YAMLError:
        data = None
    kinds = [k for k in data if k != "$schema"] if isinstance(data, dict) else []
    if len(kinds) != 1 or kinds[0] not in KINDS:
        return Document("file", name, name, {"sha256": hashlib.sha256(text).hexdigest()}, None)
    kind, body = kinds[0], data[kinds[0]]
    ident = "federation" if kind == "federation" else str(body.get("id") if isinstance(body, dict) else name)
    try:
        normalised = KINDS[kind].model_validate(body).model_dump(mode="json")
    except ValidationError:
        normalised = None
    return Document(kind, ident, name, body, normalised)


def documents(root: Path | None, prefix: str) -> dict[tuple[str, str], Document]:
    """Every YAML file under ``root``, by (kind, id); ``prefix`` is ``root``'s path in the repository."""
    found: dict[tuple[str, str], Document] = {}
    if root is None:
        return found
    for path in sorted(root.rglob("*.y*ml")):
        if path.is_file() and path.suffix in (".yaml", ".yml"):
            doc = _document(path, f"{prefix}/{path.relative_to(root).as_posix()}")
            key = (doc.kind, doc.ident) if (doc.kind, doc.ident) not in found else (doc.kind, f"{doc.ident}@{doc.file}")
            found[key] = doc
    return found


def _unique(items: list[Any], key: str) -> bool:
    return all(isinstance(i, dict) and key in i for i in items) and len({str(i[key]) for i in items}) == len(items)


def _list_key(a: list[Any], b: list[Any]) -> str | None:
    """The key that names the items of both lists (None: compare by position)."""
    return next((k for k in LIST_KEYS if _unique(a, k) and _unique(b, k)), None)


def _keyed(items: list[Any], key: str | None) -> dict[str, Any]:
    return {str(item[key]) if key else str(n): item for n, item in enumerate(items)}


def _lists(a: list[Any], b: list[Any], path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    if all(not isinstance(v, dict | list) for v in a + b):  # values: a set
        if sorted(map(str, a)) != sorted(map(str, b)):
            yield path, a, b
        return
    key = _list_key(a, b)
    old, new = _keyed(a, key), _keyed(b, key)
    for k in [*old, *(k for k in new if k not in old)]:
        yield from differences(old.get(k, MISSING), new.get(k, MISSING), (*path, f"[{k}]"))


def differences(a: Any, b: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any, Any]]:
    """Every (path, before, after) where ``a`` and ``b`` differ; a block present on one side only is one."""
    if a == b or (a in (None, MISSING) and b in (None, MISSING)):  # unset either way
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in [*a, *(k for k in b if k not in a)]:
            yield from differences(a.get(k, MISSING), b.get(k, MISSING), (*path, k))
    elif isinstance(a, list) and isinstance(b, list):
        yield from _lists(a, b, path)
    else:
        yield path, a, b


def compare(old: dict[tuple[str, str], Document], new: dict[tuple[str, str], Document]) -> list[Change]:
    """Every change from ``old`` to ``new``, document by document."""
    changes: list[Change] = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            doc = b or a
            assert doc is not None
            changes.append(Change(doc, (), a.raw if a else MISSING, b.raw if b else MISSING))
            continue
        if a.file != b.file:
            changes.append(Change(b, (FILE_MOVED,), a.file, b.file))
        both = a.normalised is not None and b.normalised is not None
        changes.extend(Change(b, path, before, after) for path, before, after
                       in differences(a.normalised if both else a.raw, b.normalised if both else b.raw))
    return changes
