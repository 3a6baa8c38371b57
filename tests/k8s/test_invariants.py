"""Invariants of the rendered k8s stack: availability, health, least privilege, resources."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.k8s.conftest import Manifests, by_kind, containers, one, pod_templates
from trustcircle.k8s import meta

VARIANTS: list[dict[str, Any]] = [
    {},
    {"workload": {"agents": 100_000}},
    {"keycloak": {"cacheStack": "kubernetes", "prebuiltImage": True}},
    {"database": {"mode": "external", "host": "pg.example.org", "egressCidr": "10.20.0.0/16"}},
    {"keycloak": {"autoscale": False}, "ingress": {"certManagerIssuer": "letsencrypt"}},
]


@pytest.fixture(params=VARIANTS, ids=["default", "100k", "dns-ping-prebuilt", "external-db", "no-hpa-certmanager"])
def variant(request: pytest.FixtureRequest, render_stack: Callable[..., Manifests]) -> Manifests:
    return render_stack(**request.param)


def test_keycloak_runs_at_least_two_replicas_and_the_autoscaler_never_goes_below(variant: Manifests) -> None:
    deployment = one(variant, "Deployment", "trustcircle-keycloak")
    assert deployment["spec"]["replicas"] >= 2
    for hpa in by_kind(variant, "HorizontalPodAutoscaler"):
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_rolling_updates_never_lower_capacity(variant: Manifests) -> None:
    strategy = one(variant, "Deployment", "trustcircle-keycloak")["spec"]["strategy"]
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0


def test_a_minor_upgrade_can_recreate(render_stack: Callable[..., Manifests]) -> None:
    docs = render_stack(keycloak={"updateStrategy": "Recreate"})
    assert one(docs, "Deployment", "trustcircle-keycloak")["spec"]["strategy"] == {"type": "Recreate"}


def test_a_disruption_budget_covers_keycloak(variant: Manifests) -> None:
    pdb = one(variant, "PodDisruptionBudget", "trustcircle-keycloak")
    assert pdb["spec"]["selector"]["matchLabels"] == meta.labels(meta.KEYCLOAK)
    assert pdb["spec"]["maxUnavailable"] == 1


def test_keycloak_pods_spread_over_nodes_and_zones(variant: Manifests) -> None:
    spec = one(variant, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]
    keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
    assert keys == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}
    assert spec["affinity"]["podAntiAffinity"]


def test_keycloak_probes_use_the_management_port(variant: Manifests) -> None:
    container = one(variant, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]["containers"][0]
    paths = {}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] == meta.MANAGEMENT_PORT
        paths[probe] = container[probe]["httpGet"]["path"]
    assert paths == {"startupProbe": "/health/started", "readinessProbe": "/health/ready",
                     "livenessProbe": "/health/live"}


def test_every_long_running_container_has_three_probes(variant: Manifests) -> None:
    for where, template in pod_templates(variant):
        for c in template["spec"]["containers"]:
            missing = {"startupProbe", "readinessProbe", "livenessProbe"} - set(c)
            assert not missing, f"{where}/{c['name']} has no {missing}"


def test_no_container_is_privileged_or_root_or_writes_its_root_fs(variant: Manifests) -> None:
    for where, template in pod_templates(variant):
        pod = template["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert pod.get("hostNetwork") is not True and pod.get("hostPID") is not True, where
        assert pod["automountServiceAccountToken"] is False, where
        for c in containers(template):
            sc = c["securityContext"]
            assert sc["privileged"] is False and sc["allowPrivilegeEscalation"] is False, f"{where}/{c['name']}"
            assert sc["readOnlyRootFilesystem"] is True, f"{where}/{c['name']}"
            assert sc["capabilities"]["drop"] == ["ALL"], f"{where}/{c['name']}"


def test_every_container_has_requests_and_limits(variant: Manifests) -> None:
    for where, template in pod_templates(variant):
        for c in containers(template):
            for kind in ("requests", "limits"):
                assert set(c["resources"][kind]) >= {"cpu", "memory"}, f"{where}/{c['name']} {kind}"


def test_the_namespace_enforces_the_restricted_pod_security_standard(manifests: Manifests) -> None:
    ns = one(manifests, "Namespace", "trustcircle")
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_the_in_cluster_database_is_the_only_single_replica_workload(variant: Manifests) -> None:
    single = [d["metadata"]["name"] for d in variant
              if d["kind"] in ("Deployment", "StatefulSet") and d["spec"]["replicas"] < 2]
    assert single in ([], ["trustcircle-postgres"])  # not HA by design: production uses database.mode external


def test_the_ingress_serves_tls_for_its_host(variant: Manifests) -> None:
    ingress = one(variant, "Ingress", "trustcircle-keycloak")
    hosts = [r["host"] for r in ingress["spec"]["rules"]]
    assert ingress["spec"]["tls"][0]["hosts"] == hosts and ingress["spec"]["tls"][0]["secretName"]


def test_cert_manager_is_asked_only_when_an_issuer_is_configured(render_stack: Callable[..., Manifests]) -> None:
    plain = one(render_stack(), "Ingress", "trustcircle-keycloak")["metadata"]["annotations"]
    issued = one(render_stack(ingress={"certManagerIssuer": "acme"}), "Ingress", "trustcircle-keycloak")
    assert "cert-manager.io/cluster-issuer" not in plain
    assert issued["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "acme"


def test_the_database_accepts_every_connection_the_autoscaled_pods_may_open(manifests: Manifests) -> None:
    hpa = one(manifests, "HorizontalPodAutoscaler", "trustcircle-keycloak")
    env = {e["name"]: e.get("value") for e in
           one(manifests, "Deployment", "trustcircle-keycloak")["spec"]["template"]["spec"]["containers"][0]["env"]}
    args = one(manifests, "StatefulSet", "trustcircle-postgres")["spec"]["template"]["spec"]["containers"][0]["args"]
    max_connections = int(next(a for a in args if a.startswith("max_connections=")).split("=")[1])
    assert max_connections > hpa["spec"]["maxReplicas"] * int(env["KC_DB_POOL_MAX_SIZE"])


def test_env_references_name_variables_defined_before_them(variant: Manifests) -> None:
    """Kubernetes expands $(NAME) only from variables listed earlier; a later one stays literal text."""
    for where, template in pod_templates(variant):
        for c in containers(template):
            seen: set[str] = set()
            for env in c.get("env", []):
                refs = set(re.findall(r"\$\((\w+)\)", env.get("value", "")))
                assert refs <= seen, f"{where}/{c['name']} {env['name']} uses {refs - seen} before it is set"
                seen.add(env["name"])


def test_the_same_configuration_renders_the_same_manifests(render_stack: Callable[..., Manifests]) -> None:
    assert render_stack() == render_stack()


def test_the_ingress_applies_the_tls_policy_and_passes_application_certificates(variant: Manifests) -> None:
    from trustcircle import tls_policy

    annotations = one(variant, "Ingress", "trustcircle-keycloak")["metadata"]["annotations"]
    nginx = "nginx.ingress.kubernetes.io"
    assert annotations[f"{nginx}/ssl-ciphers"] == tls_policy.openssl_ciphers()
    assert all(c.startswith("ECDHE-") and ("GCM" in c or "CHACHA20" in c)
               for c in annotations[f"{nginx}/ssl-ciphers"].split(":"))  # forward secret, AEAD
    assert annotations[f"{nginx}/auth-tls-verify-client"] == "optional"  # browsers present none
    assert annotations[f"{nginx}/auth-tls-pass-certificate-to-upstream"] == "true"
    template = one(variant, "Deployment", "trustcircle-keycloak")["spec"]["template"]
    env = {e["name"]: e.get("value") for c in containers(template) for e in c.get("env", [])}
    assert env["KC_SPI_X509CERT_LOOKUP__PROVIDER"] == "nginx"
    assert env["KC_SPI_X509CERT_LOOKUP__NGINX__SSL_CLIENT_CERT"] == "ssl-client-cert"
