"""Validation and compilation time on the reference federation and on generated ones.

Usage: ./run python -m benchmarks.validate [N ...]   (default sizes: reference, 100, 1000)
Prints a Markdown table: organisations, conventions, files, validate seconds, compile seconds,
Keycloak objects, peak Python memory (tracemalloc).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

ENV = Environment(public_url="https://kc.example:8443")

ORG = """organisation:
  id: org-{i:04d}
  name: Organisation partenaire {i}
  kind: partner
  parent: caf33
  realm: org-{i:04d}
  authentication: {{type: keycloak}}
  groups:
    - {{id: agents, name: Agents}}
"""
CONVENTION = """convention:
  id: CNV-2027-{i:04d}
  organisation: org-{i:04d}
  provider: cnaf
  managed_by: caf33
  status: verified
  amendments:
    - number: 0
      prepared_by: caf33.admin@caf.example
      prepared_on: 2026-01-05
      verified_by: caf33.verifier@caf.example
      verified_on: 2026-01-07
      forms:
        - service: cdap
          profile: T2
          rubriques: [dossier, droits, adresse]
          groups: [agents]
          valid_from: 2026-02-01
          valid_until: 2029-01-31
"""


def generate(size: int, into: Path) -> Path:
    shutil.copytree(REPO_ROOT / "realms", into)
    for i in range(size):
        (into / "organisations" / f"org-{i:04d}.yaml").write_text(ORG.format(i=i))
        (into / "conventions" / f"cnaf-org-{i:04d}.yaml").write_text(CONVENTION.format(i=i))
    return into


def _peak_mib(realms: Path) -> float:
    """A second pass under tracemalloc (which slows Python down, so it is not timed)."""
    tracemalloc.start()
    compile_federation(load_federation([realms]), ENV)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def measure(label: str, realms: Path) -> str:
    started = time.perf_counter()
    federation = load_federation([realms])
    validated = time.perf_counter()
    objects = compile_federation(federation, ENV)
    compiled = time.perf_counter()
    peak = _peak_mib(realms)
    files = len(list(realms.rglob("*.yaml")))
    return (f"| {label} | {len(federation.organisations)} | {len(federation.conventions)} | {files} | "
            f"{validated - started:.2f} | {compiled - validated:.2f} | {len(objects)} | {peak:.0f} |")


def main(sizes: list[int]) -> None:
    print("| federation | organisations | conventions | files | validate (s) | compile (s) | objects | peak MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(measure("reference", REPO_ROOT / "realms"), flush=True)
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            print(measure(f"generated +{size}", generate(size, Path(tmp) / "realms")), flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000])
