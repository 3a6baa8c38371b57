"""The ``trustcircle:k8s:Network`` component: nothing reaches a pod unless a policy here says so.

- every pod of the namespace: no traffic in or out (the default), DNS out;
- Keycloak: HTTP in from the ingress controller's namespace only, cluster traffic between Keycloak pods,
  out to the database and to HTTPS (the organisations' identity providers: metadata, keys, tokens);
- PostgreSQL: in from Keycloak only, nothing out.
The kubelet's probes are not subject to network policies.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from trustcircle.k8s import meta
from trustcircle.k8s.resources import child
from trustcircle.k8s.settings import K8sSettings

KEYCLOAK_PEERS = {"podSelector": {"matchLabels": meta.labels(meta.KEYCLOAK)}}
DNS = {"to": [{"namespaceSelector": {}}],
       "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


def keycloak_rules(s: K8sSettings) -> dict[str, Any]:
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": s.ingress.controller_namespace}}}
    if s.database.mode == "external":
        database: dict[str, Any] = {"to": [{"ipBlock": {"cidr": s.database.egress_cidr}}],
                                    "ports": _tcp(s.database.port)}
    else:
        database = {"to": [{"podSelector": {"matchLabels": meta.labels(meta.POSTGRES)}}],
                    "ports": _tcp(meta.POSTGRES_PORT)}
    return {"ingress": [{"from": [controller], "ports": _tcp(meta.HTTP_PORT)},
                        {"from": [KEYCLOAK_PEERS], "ports": _tcp(meta.JGROUPS_PORT, meta.JGROUPS_FD_PORT)}],
            "egress": [database,
                       {"to": [KEYCLOAK_PEERS], "ports": _tcp(meta.JGROUPS_PORT, meta.JGROUPS_FD_PORT)},
                       {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": _tcp(443)}]}


def postgres_rules() -> dict[str, Any]:
    return {"ingress": [{"from": [KEYCLOAK_PEERS], "ports": _tcp(meta.POSTGRES_PORT)}], "egress": []}


class Network(pulumi.ComponentResource):
    """Default deny for the namespace, then one policy per component."""

    def __init__(self, s: K8sSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:k8s:Network", "trustcircle-network", None, opts)
        policies: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
            ("trustcircle-default-deny", meta.PART_OF, {}, {"ingress": [], "egress": [DNS]}),
            ("trustcircle-keycloak", meta.KEYCLOAK, {"matchLabels": meta.labels(meta.KEYCLOAK)}, keycloak_rules(s))]
        if s.database.mode == "in-cluster":
            policies.append(("trustcircle-postgres", meta.POSTGRES,
                             {"matchLabels": meta.labels(meta.POSTGRES)}, postgres_rules()))
        for name, component, selector, rules in policies:
            child(k8s.networking.v1.NetworkPolicy, name, self,
                  metadata=meta.metadata(name, s.namespace, component),
                  spec={"podSelector": selector, "policyTypes": ["Ingress", "Egress"], **rules})
        self.register_outputs({})
