"""The realms go onto the cluster through the local stack's own Federation component, after Keycloak."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tests.k8s.conftest import Manifests
from tests.stand_in_realms import copy_with_certificates
from trustcircle.k8s import program


def _target(tmp_path: Path, url: str = "https://keycloak.example.org") -> Path:
    path = tmp_path / "target.json"
    path.write_text(json.dumps({"url": url, "ca_bundle": str(tmp_path / "ca.pem"),
                                "admin_credentials": str(tmp_path / "admin.json")}))
    return path


def test_the_federation_waits_for_keycloak_and_targets_its_host(
        render_stack: Callable[..., Manifests], realms_copy: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[dict[str, Any]] = []

    def fake_federation(name: str, objects: list[Any], target: Path, url: str, timezone: str,
                        opts: pulumi.ResourceOptions) -> None:
        built.append({"objects": len(objects), "url": url, "depends_on": opts.depends_on})

    monkeypatch.setattr(program, "Federation", fake_federation)
    realms = copy_with_certificates(realms_copy, tmp_path / "with-certificates", tmp_path / "cert")
    monkeypatch.setenv("TRUSTCIRCLE_REALMS", str(realms))
    render_stack(realmsTarget=str(_target(tmp_path)))
    assert len(built) == 1 and built[0]["objects"] > 0
    assert built[0]["url"] == "https://keycloak.example.org"
    [ready] = built[0]["depends_on"]
    assert isinstance(ready, pulumi.CustomResource) and ready._name == "trustcircle-keycloak"


def test_a_target_elsewhere_than_the_ingress_is_refused(render_stack: Callable[..., Manifests],
                                                        tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"the cluster is published at https://keycloak\.example\.org"):
        render_stack(realmsTarget=str(_target(tmp_path, "https://other.example.org")))


def test_services_encrypting_for_the_local_stand_in_are_refused(render_stack: Callable[..., Manifests],
                                                                tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="local stand-in"):
        render_stack(realmsTarget=str(_target(tmp_path)))
