"""The ``trustcircle:k8s:Database`` component: PostgreSQL in the cluster (one pod with a volume).

For production the operator's managed PostgreSQL (replicated, point-in-time recovery) is the better
place: ``database.mode: external`` with its host, and this component declares nothing.
"""

from __future__ import annotations

import math
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from trustcircle.k8s import meta
from trustcircle.k8s.resources import child
from trustcircle.k8s.settings import K8sSettings
from trustcircle.k8s.sizing import Sizing

NAME = "trustcircle-postgres"
POSTGRES_UID = 999  # the official image's postgres user
DATA = "/var/lib/postgresql/data"


def max_connections(sizing: Sizing) -> int:
    """Every Keycloak pod the autoscaler may start keeps its full pool open, plus room for the operator."""
    return sizing.max_replicas * sizing.db_pool_size + 20


def resources(sizing: Sizing) -> dict[str, dict[str, str]]:
    """A quarter of Keycloak's CPU (an assumption: Keycloak publishes no database figure to derive it from)."""
    cpu_m = max(1_000, int(math.ceil(sizing.cluster_vcpu * 250 / 100) * 100))
    memory = "2Gi" if sizing.replicas <= 3 else "4Gi"
    return {"requests": {"cpu": f"{cpu_m}m", "memory": memory}, "limits": {"cpu": f"{2 * cpu_m}m", "memory": memory}}


def container(s: K8sSettings, sizing: Sizing) -> dict[str, Any]:
    ready = {"exec": {"command": ["pg_isready", "-U", "$(POSTGRES_USER)", "-d", s.database.name]},
             "periodSeconds": 10, "failureThreshold": 6, "timeoutSeconds": 5}
    return {"name": "postgres", "image": s.postgres_image(), "imagePullPolicy": "IfNotPresent",
            "args": ["-c", f"max_connections={max_connections(sizing)}"],
            "env": [meta.secret_env("POSTGRES_USER", s.database.secret, "username"),
                    meta.secret_env("POSTGRES_PASSWORD", s.database.secret, "password"),
                    {"name": "POSTGRES_DB", "value": s.database.name},
                    {"name": "PGDATA", "value": f"{DATA}/pgdata"}],
            "ports": [{"name": "postgres", "containerPort": meta.POSTGRES_PORT}],
            "resources": resources(sizing), "securityContext": meta.container_security(),
            "startupProbe": {**ready, "failureThreshold": 30}, "readinessProbe": ready, "livenessProbe": ready,
            "volumeMounts": [{"name": "data", "mountPath": DATA},
                             {"name": "run", "mountPath": "/var/run/postgresql"},
                             {"name": "tmp", "mountPath": "/tmp"}]}  # noqa: S108 (an emptyDir)


def volume_claim(s: K8sSettings) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": s.database.storage}}}
    if s.database.storage_class:
        spec["storageClassName"] = s.database.storage_class
    return {"metadata": {"name": "data"}, "spec": spec}


class Database(pulumi.ComponentResource):
    """A StatefulSet of one PostgreSQL pod and its Service; only Keycloak may reach it (network.py)."""

    def __init__(self, s: K8sSettings, sizing: Sizing, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:k8s:Database", NAME, None, opts)
        ns = s.namespace
        child(k8s.core.v1.Service, NAME, self, metadata=meta.metadata(NAME, ns, meta.POSTGRES),
              spec={"type": "ClusterIP", "selector": meta.labels(meta.POSTGRES),
                    "ports": [{"name": "postgres", "port": meta.POSTGRES_PORT, "targetPort": "postgres"}]})
        pod = {"metadata": {"labels": meta.labels(meta.POSTGRES)},
               "spec": {"automountServiceAccountToken": False, "securityContext": meta.pod_security(POSTGRES_UID),
                        "terminationGracePeriodSeconds": 60, "containers": [container(s, sizing)],
                        "volumes": [meta.empty_dir("run", "16Mi"), meta.empty_dir("tmp", "256Mi")]}}
        self.statefulset = child(
            k8s.apps.v1.StatefulSet, NAME, self, metadata=meta.metadata(NAME, ns, meta.POSTGRES),
            spec={"serviceName": NAME, "replicas": 1, "selector": {"matchLabels": meta.labels(meta.POSTGRES)},
                  "template": pod, "volumeClaimTemplates": [volume_claim(s)],
                  "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}})
        self.register_outputs({})
