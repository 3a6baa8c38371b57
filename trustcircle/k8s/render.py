"""Kubernetes manifests of the k8s stack without a cluster and without the provider plugin.

The program runs under Pulumi's mocks (``pulumi.runtime.set_mocks``): every resource it declares is
recorded with its inputs, which for pulumi-kubernetes are the manifest itself. Secret values are
replaced by ``REDACTED``. Tests check the manifests' invariants and validate them against the Kubernetes
API schema; ``python -m trustcircle.k8s.render DIR`` writes them for ``kubectl apply --dry-run=server``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pulumi
import yaml

from trustcircle.settings import REPO_ROOT

REDACTED = "REDACTED"
# The order a manifest directory is applied in (what others need first), then by name: a stable output.
KIND_ORDER = ["Namespace", "Secret", "ConfigMap", "ServiceAccount", "NetworkPolicy", "Service", "StatefulSet",
              "Deployment", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress"]
_SIG_KEY = "4dabf18193072939515e22adb298388d"        # how the engine marks special values
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"     # noqa: S105 (the marker of a secret, no secret)


def _unwrap(value: Any) -> Any:
    """Secret values as ``REDACTED`` (a secret dictionary keeps its keys), whole numbers as integers."""
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            inner = value.get("value")
            return dict.fromkeys(inner, REDACTED) if isinstance(inner, dict) else REDACTED
        return {k: _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine carries every number as a float; Kubernetes wants integers
    return value


class Recorder(pulumi.runtime.Mocks):
    """Mocks that remember each resource: its Pulumi type, name and inputs."""

    def __init__(self) -> None:
        self.resources: list[tuple[str, str, dict[str, Any]]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[Any, Any]]:
        self.resources.append((args.typ, args.name, dict(args.inputs)))
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        return {}, None


def manifest(inputs: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = _unwrap({k: v for k, v in inputs.items() if k != "__defaults"})
    if doc.get("kind") == "Secret":
        for field in ("data", "stringData"):
            if field in doc:
                doc[field] = dict.fromkeys(doc[field], REDACTED)
    return doc


def render(stack_config: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifests of the program for ``stack_config`` (``{"trustcircle:k8s": {...}, ...}``)."""
    from trustcircle.k8s.program import build  # imported after the mocks are in place

    recorder = Recorder()
    pulumi.runtime.set_mocks(recorder, project="trustcircle", stack="k8s", preview=False)
    # the whole configuration at once: nothing of an earlier render stays
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in stack_config.items()},
                                  [k for k in stack_config if k.endswith("Password")])

    @pulumi.runtime.test  # type: ignore[untyped-decorator]
    def declare() -> pulumi.Output[str]:
        return pulumi.Output.from_input(build(pulumi.Config("trustcircle")).url)

    declare()
    docs = [manifest(inputs) for typ, _, inputs in recorder.resources if typ.startswith("kubernetes:")]
    return sorted(docs, key=lambda d: (KIND_ORDER.index(d["kind"]) if d["kind"] in KIND_ORDER else len(KIND_ORDER),
                                       d["metadata"]["name"]))


def stack_config(path: Path) -> dict[str, Any]:
    """The ``config:`` of a stack file, secret values left out (they are only encrypted text there)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {k: v for k, v in (data.get("config") or {}).items() if not (isinstance(v, dict) and "secure" in v)}


def write(manifests: list[dict[str, Any]], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, doc in enumerate(manifests):
        path = out / f"{i:02d}-{doc['kind'].lower()}-{doc['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else REPO_ROOT / "reports" / "k8s-manifests"
    config = stack_config(REPO_ROOT / "Pulumi.k8s.yaml")
    for path in write(render(config), out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
