"""kcwarden (a static auditor of Keycloak configurations) on a deployed realm: the realm's partial
export, taken through the admin API, audited at a minimum severity. trustcircle keeps no finding of
medium or higher severity on a provider's application clients (partners' web-service access);
an exclusion is justified in ``docs/security-officer.md`` and named in ``EXCLUSIONS``."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from trustcircle.errors import TrustcircleError
from trustcircle.keycloak.admin import Admin, q

TIMEOUT_S = 300
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
# (kcwarden auditor, client id prefix) → why the finding does not apply; each is explained in the docs
EXCLUSIONS: dict[tuple[str, str], str] = {}


def audit(admin: Admin, realm: str, min_severity: str = "MEDIUM") -> list[dict[str, Any]]:
    """kcwarden's findings on ``realm`` at ``min_severity`` or above (its JSON output)."""
    export = admin.post_json(f"/{q(realm)}/partial-export?exportClients=true&exportGroupsAndRoles=true", {})
    kcwarden = Path(sys.executable).parent / "kcwarden"
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / f"{realm}.json"
        dump.write_text(json.dumps(export))
        try:
            done = subprocess.run([str(kcwarden), "audit", str(dump), "--format", "json", "--min-severity",
                                   min_severity], capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise TrustcircleError(f"kcwarden did not run: {err}",
                                   "./run setup installs it (requirements.lock)") from err
    if done.returncode != 0:
        raise TrustcircleError(f"kcwarden failed ({done.returncode}): {done.stderr.strip()[-500:]}",
                               "read kcwarden's message above")
    findings: list[dict[str, Any]] = json.loads(done.stdout or "[]")
    return findings


def about(finding: dict[str, Any], prefix: str) -> bool:
    """Whether a finding concerns a client whose id starts with ``prefix``."""
    return finding.get("entity_type") == "Client" and str(finding.get("entity", "")).startswith(prefix)


def unexcused(findings: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The findings about ``prefix`` clients that no justified exclusion covers."""
    return [f for f in findings if about(f, prefix) and (f.get("reporting_auditor"), prefix) not in EXCLUSIONS]
