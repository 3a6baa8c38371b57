"""``trustcircle apply``: the Pulumi path's inputs, applied without Pulumi (used by Ansible).

Validates ``realms/``, compiles it exactly as :func:`trustcircle.deploy.program.build` does (same
environment: the target's public URL and outgoing mail and, on a test host, the local
federation's stand-in certificates), then converges the target with :func:`trustcircle.keycloak.apply.converge` and
returns the changes (none on a second run). Nothing is deleted: see ``keycloak/apply.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from trustcircle.compiler.compile import compile_federation
from trustcircle.deploy.environment import stand_in_certificates, target_environment
from trustcircle.deploy.program import check_reachable
from trustcircle.errors import ConfigurationError
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.apply import Change, converge
from trustcircle.local.target import Target
from trustcircle.model.loader import load_federation
from trustcircle.settings import Paths

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


def apply_realms(realms: Path, target: Target, target_path: Path | None, *, local_stand_ins: bool = False,
                 dry_run: bool = False) -> list[Change]:
    """Validate, compile and converge; with ``dry_run`` only report what would change."""
    federation = load_federation([realms])
    check_reachable(target)
    # --local-stand-ins: a test host of this machine uses the local federation's stand-in
    # e-services (the same certificates the Pulumi path gives the local federation)
    stand_ins_for = Paths.from_env().local / "target.json" if local_stand_ins else target_path or Path(STDIN)
    stand_ins = stand_in_certificates(federation, stand_ins_for)
    objects = compile_federation(federation, target_environment(target, stand_ins))
    return converge(Admin(target, realm_views=True), objects, dry_run=dry_run)


def as_json(changes: list[Change]) -> str:
    return json.dumps([{"name": c.name, "action": c.action, "fields": list(c.fields)} for c in changes], indent=1)


def as_text(changes: list[Change], dry_run: bool) -> str:
    verb = "would " if dry_run else ""
    lines = [f"{verb}{c.action} {c.name}" + (f" ({', '.join(c.fields)})" if c.action == "update" else "")
             for c in changes]
    return "\n".join(lines) if lines else "no change"
