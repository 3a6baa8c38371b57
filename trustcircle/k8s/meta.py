"""What every object of the k8s stack shares: names, labels and the restricted security settings."""

from __future__ import annotations

from typing import Any

PART_OF = "trustcircle"
KEYCLOAK = "keycloak"
POSTGRES = "postgres"

# Keycloak's ports: HTTP behind the ingress, the management interface (health, metrics), JGroups
# (cluster traffic) and JGroups' failure detection (its port + 50,000).
HTTP_PORT = 8080
MANAGEMENT_PORT = 9000
JGROUPS_PORT = 7800
JGROUPS_FD_PORT = 57800
POSTGRES_PORT = 5432


def labels(component: str) -> dict[str, str]:
    """The selector labels of one component's pods (stable: Deployments cannot change them later)."""
    return {"app.kubernetes.io/name": component, "app.kubernetes.io/part-of": PART_OF}


def metadata(name: str, namespace: str, component: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace,
                            "labels": {**labels(component), "app.kubernetes.io/managed-by": "pulumi"}}
    meta.update(extra)
    return meta


def pod_security(user: int) -> dict[str, Any]:
    """Pod-level settings of the Kubernetes "restricted" Pod Security Standard."""
    return {"runAsNonRoot": True, "runAsUser": user, "runAsGroup": user, "fsGroup": user,
            "seccompProfile": {"type": "RuntimeDefault"}}


def container_security() -> dict[str, Any]:
    """Container-level settings of the "restricted" standard, plus a read-only root file system."""
    return {"privileged": False, "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]}}


def http_probe(path: str, port: int, period_s: int, failures: int) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": port, "scheme": "HTTP"},
            "periodSeconds": period_s, "failureThreshold": failures, "timeoutSeconds": 5}


def secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    """An environment variable read from a Secret: its value never appears in a manifest."""
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def empty_dir(name: str, size_limit: str) -> dict[str, Any]:
    return {"name": name, "emptyDir": {"sizeLimit": size_limit}}
