"""Rooms where their names say: a lower layer never imports a higher one, and the Ansible path
(``trustcircle apply``) runs without Pulumi."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from trustcircle.settings import REPO_ROOT

PACKAGE = REPO_ROOT / "trustcircle"
# each layer, and the layers it may not import (the model knows nothing of Keycloak; the compiler
# nothing of servers; the Keycloak layer nothing of Pulumi, Kubernetes or the local runtime's server)
FORBIDDEN = {
    "model": ("compiler", "keycloak", "deploy", "k8s", "local", "pipeline"),
    "compiler": ("keycloak", "deploy", "k8s", "local", "pipeline"),
    "keycloak": ("deploy", "k8s", "pipeline"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_does_not_import_a_higher_one(layer: str) -> None:
    wrong = [f"{path.relative_to(REPO_ROOT)} imports {module}"
             for path in sorted((PACKAGE / layer).glob("*.py")) for module in sorted(_imports(path))
             if any(module == f"trustcircle.{higher}" or module.startswith(f"trustcircle.{higher}.")
                    for higher in FORBIDDEN[layer])]
    assert wrong == []


def test_the_ansible_path_runs_without_pulumi() -> None:
    code = ("import sys, trustcircle.cli, trustcircle.apply, trustcircle.pipeline; "
            "print(sorted(m for m in sys.modules if m == 'pulumi' or m.startswith('pulumi.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "[]"
