"""The ``trustcircle:k8s:Keycloak`` component: the Keycloak pods and what keeps them available."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from trustcircle.compiler.policies import DENY_LIST_FILE
from trustcircle.k8s import meta
from trustcircle.k8s.extension import Jar, configmap_data, fingerprint
from trustcircle.k8s.keycloak_pod import DENY_LIST_CONFIGMAP, DISCOVERY_SERVICE, EXTENSION_CONFIGMAP, pod_spec
from trustcircle.k8s.resources import child
from trustcircle.k8s.settings import K8sSettings
from trustcircle.k8s.sizing import Sizing
from trustcircle.policy.deny_list import deny_list

NAME = "trustcircle-keycloak"


def strategy(s: K8sSettings) -> dict[str, Any]:
    """One new pod at a time, an old one leaves only when the new one is ready; or all at once."""
    if s.keycloak.update_strategy == "Recreate":
        return {"type": "Recreate"}
    return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


class Keycloak(pulumi.ComponentResource):
    """Deployment (rolling, one pod at a time), Service, disruption budget and autoscaler."""

    def __init__(self, s: K8sSettings, sizing: Sizing, jars: list[Jar],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:k8s:Keycloak", NAME, None, opts)
        ns = s.namespace
        child(k8s.core.v1.ServiceAccount, NAME, self, metadata=meta.metadata(NAME, ns, meta.KEYCLOAK),
              automount_service_account_token=False)
        annotations = {"trustcircle.eu/extension-sha256": fingerprint(jars)} if jars else {}
        if not s.keycloak.prebuilt_image:
            data, binary = configmap_data(jars)
            child(k8s.core.v1.ConfigMap, EXTENSION_CONFIGMAP, self, data=data, binary_data=binary,
                  metadata=meta.metadata(EXTENSION_CONFIGMAP, ns, meta.KEYCLOAK))
        child(k8s.core.v1.ConfigMap, DENY_LIST_CONFIGMAP, self,
              data={DENY_LIST_FILE: "\n".join(deny_list()) + "\n"},
              metadata=meta.metadata(DENY_LIST_CONFIGMAP, ns, meta.KEYCLOAK))
        self.deployment = child(
            k8s.apps.v1.Deployment, NAME, self, metadata=meta.metadata(NAME, ns, meta.KEYCLOAK),
            # the autoscaler owns the replica count once the Deployment exists
            ignore_changes=["spec.replicas"] if s.keycloak.autoscale else None,
            spec={"replicas": sizing.replicas, "revisionHistoryLimit": 5, "minReadySeconds": 10,
                  "selector": {"matchLabels": meta.labels(meta.KEYCLOAK)},
                  "strategy": strategy(s),
                  "template": {"metadata": {"labels": meta.labels(meta.KEYCLOAK), "annotations": annotations},
                               "spec": pod_spec(s, sizing)}})
        self._services(s)
        self._availability(s, sizing)
        self.register_outputs({"deployment": self.deployment.metadata.apply(lambda m: m["name"]),
                               "replicas": sizing.replicas})

    def _services(self, s: K8sSettings) -> None:
        ns = s.namespace
        child(k8s.core.v1.Service, NAME, self, metadata=meta.metadata(NAME, ns, meta.KEYCLOAK),
              spec={"type": "ClusterIP", "selector": meta.labels(meta.KEYCLOAK),
                    "ports": [{"name": "http", "port": 80, "targetPort": "http"}]})
        if s.keycloak.cache_stack == "kubernetes":  # JGroups' DNS_PING finds the pods through this
            child(k8s.core.v1.Service, DISCOVERY_SERVICE, self,
                  metadata=meta.metadata(DISCOVERY_SERVICE, ns, meta.KEYCLOAK),
                  spec={"clusterIP": "None", "publishNotReadyAddresses": True,
                        "selector": meta.labels(meta.KEYCLOAK),
                        "ports": [{"name": "jgroups", "port": meta.JGROUPS_PORT, "targetPort": "jgroups"}]})

    def _availability(self, s: K8sSettings, sizing: Sizing) -> None:
        ns = s.namespace
        child(k8s.policy.v1.PodDisruptionBudget, NAME, self, metadata=meta.metadata(NAME, ns, meta.KEYCLOAK),
              spec={"maxUnavailable": 1, "selector": {"matchLabels": meta.labels(meta.KEYCLOAK)}})
        if not s.keycloak.autoscale:
            return
        # Scale on CPU against the request (the limit keeps Keycloak's 150% head-room above it); scale in
        # slowly: each pod that leaves hands its cache segments over to the others.
        child(k8s.autoscaling.v2.HorizontalPodAutoscaler, NAME, self,
              metadata=meta.metadata(NAME, ns, meta.KEYCLOAK),
              spec={"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": NAME},
                    "minReplicas": sizing.replicas, "maxReplicas": sizing.max_replicas,
                    "metrics": [{"type": "Resource", "resource": {
                        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
                    "behavior": {
                        "scaleUp": {"stabilizationWindowSeconds": 60,
                                    "policies": [{"type": "Pods", "value": 2, "periodSeconds": 60}]},
                        "scaleDown": {"stabilizationWindowSeconds": 600,
                                      "policies": [{"type": "Pods", "value": 1, "periodSeconds": 300}]}}})
