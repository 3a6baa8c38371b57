"""Dependency order of desired objects (dependencies first), stable for equal rank."""

from __future__ import annotations

from trustcircle.compiler.desired import DesiredObject


def dependency_order(objects: list[DesiredObject]) -> list[DesiredObject]:
    """Topological order (dependencies first), stable for equal rank."""
    by_name = {o.ref.name: o for o in objects}
    done: set[str] = set()
    ordered: list[DesiredObject] = []

    def visit(obj: DesiredObject, path: tuple[str, ...]) -> None:
        if obj.ref.name in done:
            return
        if obj.ref.name in path:
            raise ValueError("dependency cycle: " + " -> ".join((*path, obj.ref.name)))
        for dep in obj.depends_on:
            if dep.name in by_name:
                visit(by_name[dep.name], (*path, obj.ref.name))
        done.add(obj.ref.name)
        ordered.append(obj)

    for obj in objects:
        visit(obj, ())
    return ordered
