"""``trustcircle --version``: the package's version (installed metadata, else ``pyproject.toml``),
the checkout it runs from (``git describe``) and the pinned Keycloak and Pulumi (``versions.env``)."""

from __future__ import annotations

import subprocess
import tomllib
from importlib import metadata

from trustcircle.errors import ConfigurationError
from trustcircle.settings import REPO_ROOT, versions

GIT_TIMEOUT_S = 10


def package_version() -> str:
    try:
        return metadata.version("trustcircle")
    except metadata.PackageNotFoundError:  # run from a checkout (PYTHONPATH), not installed
        with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
            return str(tomllib.load(handle)["project"]["version"])


def checkout() -> str | None:
    """``git describe`` of the checkout the package runs from (None when it is not one)."""
    try:
        done = subprocess.run(["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty", "--tags"],
                              capture_output=True, text=True, timeout=GIT_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def describe() -> str:
    """``trustcircle 0.1.0 (git d5f49cf; Keycloak 26.5.6, Pulumi 3.259.0)``."""
    parts = [f"git {found}"] if (found := checkout()) else []
    try:
        pins = versions()
        parts.append(f"Keycloak {pins['KEYCLOAK_VERSION']}, Pulumi {pins['PULUMI_VERSION']}")
    except (ConfigurationError, KeyError):
        pass
    return f"trustcircle {package_version()}" + (f" ({'; '.join(parts)})" if parts else "")
