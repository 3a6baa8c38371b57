"""One list of Keycloak features (trustcircle/features.py) on every path: the local server and
cluster, the k8s stack and the Ansible role."""

from __future__ import annotations

import yaml

from trustcircle import features
from trustcircle.k8s.keycloak_pod import build_env
from trustcircle.k8s.settings import K8sSettings
from trustcircle.settings import REPO_ROOT

ROLE = REPO_ROOT / "roles" / "keycloak_server"


def test_the_ansible_role_turns_on_the_same_features() -> None:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert tuple(defaults["keycloak_server_features"]) == features.FEATURES
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert tuple(specs["keycloak_server_features"]["default"]) == features.FEATURES
    assert "features:" in (ROLE / "tasks" / "configure.yml").read_text()


def test_the_k8s_pod_is_built_with_them() -> None:
    env = {e["name"]: e["value"] for e in build_env(K8sSettings())}
    assert env["KC_FEATURES"] == ",".join(features.FEATURES)


def test_the_local_server_and_cluster_are_built_with_them() -> None:
    for module in ("server", "cluster"):
        source = (REPO_ROOT / "trustcircle" / "local" / f"{module}.py").read_text()
        assert "features.keycloak_options()" in source, module
