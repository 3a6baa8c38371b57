"""The parsed YAML tree beside the model: positions of key paths, plain values for validation,
and which model class describes the mapping at a key path."""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from ruamel.yaml.comments import CommentedMap, CommentedSeq

DISCRIMINATORS = ("protocol", "type")
KeyPath = list[str | int]


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


def plain(node: Any) -> Any:
    """The tree as plain dicts, lists and scalars (keys as text), for the model to validate."""
    if isinstance(node, CommentedMap):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict) and isinstance(part, str):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def without_tags(node: Any, loc: Sequence[str | int]) -> KeyPath:
    """Pydantic's error location without the tags of discriminated unions (``services.0.oidc.x``
    is ``services.0.x`` in the file)."""
    out: KeyPath = []
    for part in loc:
        if isinstance(node, dict) and part not in node and part in {str(node.get(d)) for d in DISCRIMINATORS}:
            continue
        out.append(part)
        node = child(node, part)
    return out


def _models(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly annotated, possibly optional) type."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for member in get_args(annotation) if member is not type(None) for a in _models(member)]
    return [annotation]


def _tag_of(model: type[BaseModel]) -> tuple[str, Any] | None:
    for name in DISCRIMINATORS:
        field = model.model_fields.get(name)
        if field is not None and get_origin(field.annotation) is Literal:
            return name, get_args(field.annotation)
    return None


def _choose(annotation: Any, data: Any) -> Any:
    """The member of a union that describes ``data`` (by its discriminator), or the only one."""
    members = _models(annotation)
    if len(members) == 1:
        return members[0]
    for member in members:
        tag = _tag_of(member) if isinstance(member, type) and issubclass(member, BaseModel) else None
        if tag is not None and isinstance(data, dict) and data.get(tag[0]) in tag[1]:
            return member
    return None


def model_at(model: type[BaseModel], data: Any, path: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class of the mapping at ``path`` (a key path without union tags), if any."""
    current: Any = model
    for part in path:
        current = _choose(current, data)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field is not None else None
        elif get_origin(current) in (list, tuple) and isinstance(part, int):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
        data = child(data, part)
    current = _choose(current, data)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def tree_at(node: Any, path: Sequence[str | int]) -> Any:
    """The YAML node at ``path`` (keys compared as text), or None."""
    for part in path:
        if isinstance(node, CommentedMap):
            node = next((v for k, v in node.items() if str(k) == str(part)), None)
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


def rename(mapping: CommentedMap, old: str, new: str) -> None:
    """Give a key its meant name, keeping its position for later findings."""
    actual = next(k for k in mapping if str(k) == old)
    position = mapping.lc.data.get(actual)
    mapping[new] = mapping.pop(actual)
    if position is not None:
        mapping.lc.data[new] = position


def drop(mapping: CommentedMap, key: str) -> None:
    mapping.pop(next(k for k in mapping if str(k) == key))
