"""Side stacks on the local Keycloak (the scenarios' ``scenarios``, the benchmark's ``bench``): a copy
of a federation whose realms all carry a prefix, on a Pulumi stack of its own, so that it can be
made and thrown away without touching the local federation."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from trustcircle.deploy.recover import recover
from trustcircle.keycloak.admin import Admin, q
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

PULUMI_TIMEOUT_S = 900


def copy_realms(realms: Path, prefix: str) -> None:
    """``realms`` anew: the project's realms/, every realm (and the federation) prefixed."""
    shutil.rmtree(realms, ignore_errors=True)
    shutil.copytree(REPO_ROOT / "realms", realms)
    prefix_realms(realms, prefix)


def prefix_realms(realms: Path, prefix: str) -> None:
    """Rename every realm of the organisation and provider files under ``realms`` to ``<prefix><name>``,
    and the federation to ``<prefix><id>``: a side stack is another federation, so that neither
    removes what the other owns (keycloak/ownership.py)."""
    for path in [*realms.glob("organisations/*.yaml"), *realms.glob("providers/*.yaml")]:
        path.write_text(re.sub(r"^(  realm: )([a-z])", rf"\g<1>{prefix}\g<2>", path.read_text(), flags=re.M))
    for path in realms.glob("federation.yaml"):
        path.write_text(re.sub(r"^(  id: )([a-z])", rf"\g<1>{prefix}\g<2>", path.read_text(), count=1, flags=re.M))


def remove_realms(admin: Admin, prefix: str) -> None:
    """Delete every realm whose name starts with ``prefix`` (a side federation's)."""
    for realm in admin.get(""):
        if realm["realm"].startswith(prefix):
            admin.delete(f"/{q(realm['realm'])}")


def remove(target: Target, stack: str, prefix: str) -> None:
    """Delete the side stack and its realms (after repairing what a killed run may have left)."""
    recover(stack, REPO_ROOT)
    remove_realms(Admin(target), prefix)
    subprocess.run(["pulumi", "stack", "rm", stack, "--yes", "--force", "--non-interactive"], cwd=REPO_ROOT,
                   capture_output=True, timeout=PULUMI_TIMEOUT_S, check=False)


def fresh(target: Target, stack: str, prefix: str) -> None:
    """No realm with the prefix in Keycloak, and the side stack empty."""
    remove(target, stack, prefix)
    subprocess.run(["pulumi", "stack", "init", stack, "--non-interactive"], cwd=REPO_ROOT,
                   capture_output=True, timeout=PULUMI_TIMEOUT_S, check=True)
