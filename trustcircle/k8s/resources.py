"""One helper to declare a pulumi-kubernetes resource from plain dictionaries, as a child of a component."""

from __future__ import annotations

from typing import Any, TypeVar

import pulumi

T = TypeVar("T", bound=pulumi.CustomResource)


def child(cls: type[T], name: str, parent: pulumi.Resource, *, depends_on: list[pulumi.Resource] | None = None,
          ignore_changes: list[str] | None = None, **props: Any) -> T:
    """``cls(name, **props)`` with ``parent`` (the component), optional dependencies and ignored fields."""
    opts = pulumi.ResourceOptions(parent=parent, depends_on=depends_on or [], ignore_changes=ignore_changes)
    return cls(name, opts=opts, **props)
