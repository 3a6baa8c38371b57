"""``trustcircle apply``: ``realms/`` applied to a target without Pulumi (used by Ansible), through the
same pipeline as ``pulumi up`` (:func:`trustcircle.pipeline.desired_state`) and under the same
ownership contract (``keycloak/ownership.py``): creates, updates and removes what trustcircle owns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustcircle.errors import ConfigurationError
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import Change, converge
from trustcircle.pipeline import desired_state
from trustcircle.target import Target

STDIN = "-"


def read_target(source: str, stdin_text: str | None = None) -> tuple[Target, Path | None]:
    """The target described by the file ``source``, or by JSON text read from stdin when ``-``."""
    if source != STDIN:
        return Target.load(Path(source)), Path(source)
    try:
        data: dict[str, Any] = json.loads(stdin_text or "")
        # the credentials come from the environment (TRUSTCIRCLE_ADMIN_USERNAME/PASSWORD) then
        target = Target.from_dict({"admin_credentials": "/nonexistent", **data}, "the target read from stdin")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ConfigurationError("the target read from stdin is not JSON with url and ca_bundle",
                                 'pass {"url": ..., "ca_bundle": ..., "admin_credentials": ...}') from err
    return target, None


def apply_realms(realms: Path, target: Target, target_path: Path | None, *, dry_run: bool = False) -> list[Change]:
    """Validate, compile and converge; with ``dry_run`` only report what would change."""
    state = desired_state(realms, target, target_path or Path(STDIN))
    return converge(Admin(target, realm_views=True), state.objects, state.federation, dry_run=dry_run)


def as_json(changes: list[Change]) -> str:
    return json.dumps([{"name": c.name, "action": c.action, "fields": list(c.fields)} for c in changes], indent=1)


def as_text(changes: list[Change], dry_run: bool) -> str:
    verb = "would " if dry_run else ""
    lines = [f"{verb}{c.action} {c.name}" + (f" ({', '.join(c.fields)})" if c.action == "update" else "")
             for c in changes]
    return "\n".join(lines) if lines else "no change"
