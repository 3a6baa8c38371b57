"""The Keycloak pod template: containers, probes, volumes, placement. Pure data, no Pulumi resource."""

from __future__ import annotations

from typing import Any

from trustcircle import features, ha
from trustcircle.k8s import meta
from trustcircle.k8s.settings import K8sSettings
from trustcircle.k8s.sizing import Sizing

KEYCLOAK_UID = 1000  # the official image's user
EXTENSION_CONFIGMAP = "trustcircle-extension"
DENY_LIST_CONFIGMAP = "trustcircle-password-deny-list"  # read by realms whose policy refuses breached passwords
DISCOVERY_SERVICE = "trustcircle-keycloak-discovery"
HOME = "/keycloak"  # the image's /opt/keycloak, copied into an emptyDir and built there (root fs read-only)

# The init container's script: check the jars against their sums, copy, and run `kc.sh build` once.
BUILD_SCRIPT = f"""set -eu
cp -R /opt/keycloak/. {HOME}/
cd /extensions
sha256sum -c SHA256SUMS
cp ./*.jar {HOME}/providers/
exec {HOME}/bin/kc.sh build
"""


def build_env(s: K8sSettings) -> list[dict[str, Any]]:
    """Keycloak's build-time options (the same at run time, as `start --optimized` requires)."""
    return [{"name": "KC_DB", "value": "postgres"},
            {"name": "KC_HEALTH_ENABLED", "value": "true"},
            {"name": "KC_METRICS_ENABLED", "value": "true"},
            *ha.as_env({**ha.cluster_options(), "cache-stack": s.keycloak.cache_stack}),
            # TLS ends at the ingress: an application's certificate, verified there, comes in its header
            *ha.as_env(ha.proxy_build_options()),
            *ha.as_env(features.keycloak_options())]


def database_host(s: K8sSettings) -> str:
    if s.database.mode == "external":
        return s.database.host
    return f"trustcircle-postgres.{s.namespace}.svc"


def runtime_env(s: K8sSettings, sizing: Sizing) -> list[dict[str, Any]]:
    """Run-time options; credentials only as references to Secrets."""
    db, pool = s.database, str(sizing.db_pool_size)
    java = "-Djgroups.bind.address=$(POD_IP)"
    if s.keycloak.cache_stack == "kubernetes":
        java += f" -Djgroups.dns.query={DISCOVERY_SERVICE}.{s.namespace}.svc.cluster.local"
    return [*build_env(s),
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
            {"name": "JAVA_OPTS_APPEND", "value": java},
            {"name": "KC_HOSTNAME", "value": f"https://{s.ingress.hostname}"},
            {"name": "KC_HTTP_ENABLED", "value": "true"},
            {"name": "KC_HTTP_PORT", "value": str(meta.HTTP_PORT)},
            {"name": "KC_HTTP_MANAGEMENT_PORT", "value": str(meta.MANAGEMENT_PORT)},
            *ha.as_env(ha.proxy_options()),
            {"name": "KC_LOG_CONSOLE_OUTPUT", "value": "json"},
            {"name": "KC_DB_URL_HOST", "value": database_host(s)},
            {"name": "KC_DB_URL_PORT", "value": str(db.port)},
            {"name": "KC_DB_URL_DATABASE", "value": db.name},
            {"name": "KC_DB_POOL_INITIAL_SIZE", "value": pool},
            {"name": "KC_DB_POOL_MIN_SIZE", "value": pool},
            {"name": "KC_DB_POOL_MAX_SIZE", "value": pool},
            meta.secret_env("KC_DB_USERNAME", db.secret, "username"),
            meta.secret_env("KC_DB_PASSWORD", db.secret, "password"),
            meta.secret_env("KC_BOOTSTRAP_ADMIN_USERNAME", s.admin_secret, "username"),
            meta.secret_env("KC_BOOTSTRAP_ADMIN_PASSWORD", s.admin_secret, "password")]


def probes() -> dict[str, Any]:
    """Startup, readiness and liveness on the management port (Keycloak's /health endpoints)."""
    return {"startupProbe": meta.http_probe("/health/started", meta.MANAGEMENT_PORT, 5, 60),
            "readinessProbe": meta.http_probe("/health/ready", meta.MANAGEMENT_PORT, 10, 3),
            "livenessProbe": meta.http_probe("/health/live", meta.MANAGEMENT_PORT, 10, 3)}


def ports() -> list[dict[str, Any]]:
    return [{"name": "http", "containerPort": meta.HTTP_PORT},
            {"name": "management", "containerPort": meta.MANAGEMENT_PORT},
            {"name": "jgroups", "containerPort": meta.JGROUPS_PORT},
            {"name": "jgroups-fd", "containerPort": meta.JGROUPS_FD_PORT}]


def keycloak_container(s: K8sSettings, sizing: Sizing) -> dict[str, Any]:
    home = "/opt/keycloak" if s.keycloak.prebuilt_image else HOME
    mounts: list[dict[str, Any]] = [{"name": "tmp", "mountPath": "/tmp"}]  # noqa: S108 (an emptyDir of the pod's own)
    mounts.append({"name": "data", "mountPath": "/opt/keycloak/data"} if s.keycloak.prebuilt_image
                  else {"name": "keycloak-home", "mountPath": HOME})
    mounts.append({"name": "deny-list", "mountPath": f"{home}/data/password-blacklists", "readOnly": True})
    return {"name": "keycloak", "image": s.keycloak_image(), "imagePullPolicy": "IfNotPresent",
            "command": [f"{home}/bin/kc.sh"], "args": ["start", "--optimized"],
            "env": runtime_env(s, sizing), "ports": ports(), "resources": sizing.resources(),
            "securityContext": meta.container_security(), "volumeMounts": mounts, **probes()}


def build_container(s: K8sSettings) -> dict[str, Any]:
    """Checks and installs the extension, then builds Keycloak for this configuration (not prebuilt)."""
    return {"name": "build", "image": s.keycloak_image(), "imagePullPolicy": "IfNotPresent",
            "command": ["/bin/bash", "-c", BUILD_SCRIPT], "env": build_env(s),
            "resources": {"requests": {"cpu": "500m", "memory": "512Mi"},
                          "limits": {"cpu": "2", "memory": "1Gi"}},
            "securityContext": meta.container_security(),
            "volumeMounts": [{"name": "keycloak-home", "mountPath": HOME},
                             {"name": "extension", "mountPath": "/extensions", "readOnly": True},
                             {"name": "tmp", "mountPath": "/tmp"}]}  # noqa: S108


def placement() -> dict[str, Any]:
    """Spread over nodes (strictly) and zones (when possible); prefer one pod a node."""
    selector = {"matchLabels": meta.labels(meta.KEYCLOAK)}
    return {
        "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 100, "podAffinityTerm": {"labelSelector": selector,
                                                "topologyKey": "kubernetes.io/hostname"}}]}},
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule",
             "labelSelector": selector},
            {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": selector}]}


def pod_spec(s: K8sSettings, sizing: Sizing) -> dict[str, Any]:
    volumes = [meta.empty_dir("tmp", "256Mi"), {"name": "deny-list", "configMap": {"name": DENY_LIST_CONFIGMAP}}]
    spec: dict[str, Any] = {"serviceAccountName": "trustcircle-keycloak", "automountServiceAccountToken": False,
                            "securityContext": meta.pod_security(KEYCLOAK_UID),
                            "terminationGracePeriodSeconds": 60,
                            "containers": [keycloak_container(s, sizing)], **placement()}
    if s.keycloak.prebuilt_image:
        volumes.append(meta.empty_dir("data", "256Mi"))
    else:
        volumes += [meta.empty_dir("keycloak-home", "2Gi"),
                    {"name": "extension", "configMap": {"name": EXTENSION_CONFIGMAP}}]
        spec["initContainers"] = [build_container(s)]
    spec["volumes"] = volumes
    return spec
