"""Synchronise a list of named sub-objects (protocol mappers, IdP mappers) with create/update/delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.project import changed_fields, project


def sync_named(admin: Admin, base: str, current: list[dict[str, Any]], desired: list[dict[str, Any]],
               item_path: Callable[[dict[str, Any]], str]) -> None:
    """Make the items under ``base`` equal to ``desired`` (matched by name), writing only differences.
    A second item of one name (left by an interrupted run, or made by hand) is deleted."""
    by_name: dict[str, dict[str, Any]] = {}
    for item in current:
        if item["name"] in by_name:
            admin.delete(item_path(item))
        else:
            by_name[item["name"]] = item
    for want in desired:
        have = by_name.pop(want["name"], None)
        if have is None:
            admin.post(base, want)
        elif changed_fields(project(have, want), want):
            # the item is trustcircle's: its configuration is exactly the desired one (a key an older
            # version wrote, and no longer does, goes)
            admin.put(item_path(have), {**have, **want, "config": dict(want["config"])})
    for extra in by_name.values():
        admin.delete(item_path(extra))
