"""The extension jars reach the pods with their checksums, checked twice."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.k8s.conftest import Manifests, fake_extensions, one
from trustcircle.errors import ConfigurationError
from trustcircle.k8s import extension


def test_the_jars_and_their_sums_are_in_one_config_map(manifests: Manifests) -> None:
    cm = one(manifests, "ConfigMap", "trustcircle-extension")
    sums = dict(reversed(line.split("  ")) for line in cm["data"][extension.SUMS].splitlines())
    assert set(sums) == set(cm["binaryData"])
    for name, b64 in cm["binaryData"].items():
        assert hashlib.sha256(base64.b64decode(b64)).hexdigest() == sums[name]


def test_the_init_container_checks_the_sums_before_keycloak_is_built(manifests: Manifests) -> None:
    spec = one(manifests, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]
    script = spec["initContainers"][0]["command"][-1]
    assert script.index("sha256sum -c SHA256SUMS") < script.index("kc.sh build")
    assert spec["containers"][0]["args"] == ["start", "--optimized"]


def test_a_new_jar_rolls_the_pods(manifests: Manifests) -> None:
    template = one(manifests, "Deployment", "trustcircle-keycloak")["spec"]["template"]
    assert len(template["metadata"]["annotations"]["trustcircle.eu/extension-sha256"]) == 64


def test_a_prebuilt_image_needs_no_extension_config_map(render_stack: Callable[..., Manifests]) -> None:
    docs = render_stack(keycloak={"prebuiltImage": True})
    # only the breached-password deny-list, which every variant mounts into Keycloak's data folder
    assert [d["metadata"]["name"] for d in docs if d["kind"] == "ConfigMap"] == ["trustcircle-password-deny-list"]
    assert "initContainers" not in one(docs, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]


def test_a_jar_that_does_not_match_its_sum_is_refused(tmp_path: Path) -> None:
    root = fake_extensions(tmp_path)
    next(root.glob("*/target/*.jar")).write_bytes(b"tampered")
    with pytest.raises(ConfigurationError, match="does not match its checksum"):
        extension.read_jars(root)


def test_an_unbuilt_extension_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as err:
        extension.read_jars(tmp_path)
    assert "./run setup" in err.value.hint


def test_jars_too_large_for_a_config_map_point_to_a_prebuilt_image() -> None:
    big = extension.Jar("big.jar", "0" * 64, b"x" * extension.CONFIGMAP_LIMIT_BYTES)
    with pytest.raises(ConfigurationError, match="do not fit"):
        extension.configmap_data([big])


def test_the_deny_list_is_mounted_where_keycloak_reads_it(render_stack: Callable[..., Manifests]) -> None:
    from trustcircle.compiler.policies import DENY_LIST_FILE

    for variant in ({}, {"prebuiltImage": True}):
        docs = render_stack(keycloak=variant)
        config_map = one(docs, "ConfigMap", "trustcircle-password-deny-list")
        assert "p@ssw0rd" in config_map["data"][DENY_LIST_FILE].splitlines()
        container = one(docs, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]["containers"][0]
        mount = next(m for m in container["volumeMounts"] if m["name"] == "deny-list")
        assert mount["mountPath"].endswith("/data/password-blacklists") and mount["readOnly"] is True
