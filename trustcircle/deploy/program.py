"""What ``__main__.py`` does, kept here so it is typed and tested: the pipeline, then the component.

Validation and a reachability check of the target happen (in :func:`trustcircle.pipeline.desired_state`)
before any resource is declared, so invalid input or an unreachable Keycloak stops ``pulumi up``
before anything is written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pulumi

from trustcircle.deploy.federation import Federation
from trustcircle.errors import TrustcircleError
from trustcircle.pipeline import desired_state_of, local_target_path
from trustcircle.settings import REPO_ROOT


def target_path(config: pulumi.Config) -> Path:
    """Stack configuration first, then ``TRUSTCIRCLE_TARGET``, then the local federation's."""
    configured = config.get("target") or os.environ.get("TRUSTCIRCLE_TARGET")
    return Path(configured) if configured else local_target_path()


def realms_path(config: pulumi.Config) -> Path:
    """Stack configuration first, then ``TRUSTCIRCLE_REALMS``, then ``realms/`` of the project."""
    configured = config.get("realms") or os.environ.get("TRUSTCIRCLE_REALMS") or "realms"
    return REPO_ROOT / configured


def build(config: pulumi.Config) -> Federation:
    path = target_path(config)
    try:
        state = desired_state_of(realms_path(config), path)
    except TrustcircleError as err:
        raise SystemExit(err.render()) from None
    return Federation(state.federation, state.objects, path, state.target.url, state.timezone)
