"""What ``__main__.py`` does, kept here so it is typed and tested: load, validate, compile, build.

Validation and a reachability check of the target happen before any resource is declared, so
invalid input or an unreachable Keycloak stops ``pulumi up`` before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi
import requests

from trustcircle.compiler.compile import compile_federation
from trustcircle.deploy.environment import stand_in_certificates, target_environment
from trustcircle.deploy.federation import Federation
from trustcircle.errors import KeycloakApiError, TrustcircleError
from trustcircle.local.target import Target
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT, Paths

REACHABILITY_TIMEOUT_S = 10


def _target_path(config: pulumi.Config) -> Path:
    """Stack configuration first, then ``TRUSTCIRCLE_TARGET``, then the local federation's."""
    configured = config.get("target") or os.environ.get("TRUSTCIRCLE_TARGET")
    return Path(configured) if configured else Paths.from_env().local / "target.json"


def realms_path(config: pulumi.Config) -> Path:
    """Stack configuration first, then ``TRUSTCIRCLE_REALMS``, then ``realms/`` of the project."""
    configured = config.get("realms") or os.environ.get("TRUSTCIRCLE_REALMS") or "realms"
    return REPO_ROOT / configured


def check_reachable(target: Target) -> None:
    try:
        requests.get(f"{target.url}/realms/master", verify=str(target.ca_bundle), timeout=REACHABILITY_TIMEOUT_S)
    except (requests.RequestException, OSError) as err:
        raise KeycloakApiError(f"Keycloak at {target.url} is unreachable ({type(err).__name__})",
                               "start it (./run local up) or fix trustcircle:target; nothing was changed") from err


def build(config: pulumi.Config) -> Federation:
    try:
        federation = load_federation([realms_path(config)])
        target_path = _target_path(config)
        target = Target.load(target_path)
        check_reachable(target)
        stand_ins = stand_in_certificates(federation, target_path)
    except TrustcircleError as err:
        raise SystemExit(err.render()) from None
    objects = compile_federation(federation, target_environment(target, stand_ins))
    return Federation(federation.settings.id, objects, target_path, target.url)
