"""Where trustcircle keeps things, and the pinned versions (read from ``versions.env``).

Heavy artifacts live in the cache (``$TRUSTCIRCLE_CACHE``, default ``~/.cache/trustcircle``),
keyed by version; the local runtime's state (CA, Keycloak data, admin password, logs, Pulumi
backend) lives in ``$TRUSTCIRCLE_STATE`` (default ``~/.local/state/trustcircle``). Neither is in git.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trustcircle.errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent


@cache
def versions() -> dict[str, str]:
    """The ``KEY=value`` pairs of ``versions.env``, the one place tool-chain versions are pinned."""
    path = Path(os.environ.get("TRUSTCIRCLE_ROOT", REPO_ROOT)) / "versions.env"
    if not path.is_file():
        raise ConfigurationError(f"{path} not found", "run trustcircle from a checkout of the repository")
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


@dataclass(frozen=True)
class Paths:
    """Directories of one trustcircle installation."""

    cache: Path
    state: Path

    @classmethod
    def from_env(cls) -> Paths:
        home = Path.home()
        cache_dir = Path(os.environ.get("TRUSTCIRCLE_CACHE", home / ".cache" / "trustcircle"))
        state = Path(os.environ.get("TRUSTCIRCLE_STATE", home / ".local" / "state" / "trustcircle"))
        return cls(cache=cache_dir, state=state)

    def keycloak_dist(self, version: str) -> Path:
        return self.cache / "keycloak" / version / f"keycloak-quarkus-dist-{version}.tar.gz"

    @property
    def local(self) -> Path:
        """State of the local federation's Keycloak."""
        return self.state / "local"

    @property
    def stand_ins(self) -> Path:
        """Key pairs of the local federation's stand-in e-services (see trustcircle.local.stand_ins)."""
        return self.local / "stand-ins"

    @property
    def audit_file(self) -> Path:
        """The local Keycloak's audit trail (JSON lines written by the extension's listener)."""
        return self.local / "audit" / "events.jsonl"

    @property
    def audit_files(self) -> list[Path]:
        """Every audit trail of this state: the local Keycloak's, or each node's of the local cluster
        (``events-node-N.jsonl``)."""
        found = sorted(self.audit_file.parent.glob("events*.jsonl"))
        return found or [self.audit_file]
