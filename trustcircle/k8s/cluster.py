"""The ``trustcircle:k8s:KeycloakCluster`` component: namespace, credentials, database, network
policies, the Keycloak pods and the ingress that publishes them over TLS."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from trustcircle import tls_policy
from trustcircle.k8s import meta
from trustcircle.k8s.database import Database
from trustcircle.k8s.extension import Jar
from trustcircle.k8s.keycloak import NAME as KEYCLOAK_SERVICE
from trustcircle.k8s.keycloak import Keycloak
from trustcircle.k8s.network import Network
from trustcircle.k8s.resources import child
from trustcircle.k8s.settings import K8sSettings


@dataclass(frozen=True)
class Credentials:
    """Secret values from the stack configuration; ``None``: the operator provides that Secret."""

    admin_password: pulumi.Output[str] | None = None
    database_password: pulumi.Output[str] | None = None


class KeycloakCluster(pulumi.ComponentResource):
    """Everything the cluster runs for trustcircle; ``ready`` is the Keycloak Deployment (rolled out)."""

    def __init__(self, s: K8sSettings, jars: list[Jar], credentials: Credentials,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:k8s:KeycloakCluster", "trustcircle", None, opts)
        sizing = s.sizing()
        namespace = child(k8s.core.v1.Namespace, s.namespace, self, metadata={
            "name": s.namespace, "labels": {"pod-security.kubernetes.io/enforce": "restricted",
                                            "app.kubernetes.io/part-of": meta.PART_OF}})
        inside = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        secrets = self._secrets(s, credentials, namespace)
        Network(s, inside)
        waits: list[pulumi.Resource] = [*secrets]
        if s.database.mode == "in-cluster":
            waits.append(Database(s, sizing, pulumi.ResourceOptions(parent=self, depends_on=[namespace, *secrets])))
        keycloak = Keycloak(s, sizing, jars, pulumi.ResourceOptions(parent=self, depends_on=[namespace, *waits]))
        self._ingress(s, keycloak)
        self.ready: pulumi.Resource = keycloak.deployment
        self.url = f"https://{s.ingress.hostname}"
        self.register_outputs({"url": self.url, "replicas": sizing.replicas, "maxReplicas": sizing.max_replicas})

    def _secrets(self, s: K8sSettings, c: Credentials, namespace: pulumi.Resource) -> list[pulumi.Resource]:
        """Secrets made from configuration secrets (encrypted in the state, never in an output)."""
        made: list[pulumi.Resource] = []
        for name, user, password in ((s.admin_secret, "admin", c.admin_password),
                                     (s.database.secret, "keycloak", c.database_password)):
            if password is not None:
                made.append(child(k8s.core.v1.Secret, name, self, depends_on=[namespace], type="Opaque",
                                  metadata=meta.metadata(name, s.namespace, meta.PART_OF),
                                  string_data={"username": user, "password": pulumi.Output.secret(password)}))
        return made

    def _ingress(self, s: K8sSettings, keycloak: Keycloak) -> None:
        i = s.ingress
        nginx = "nginx.ingress.kubernetes.io"
        annotations = {f"{nginx}/backend-protocol": "HTTP",
                       f"{nginx}/proxy-buffer-size": "128k",  # SAML responses are large
                       # the federation's TLS policy (TLS 1.2/1.3 is the controller's default)
                       f"{nginx}/ssl-ciphers": tls_policy.openssl_ciphers(),
                       f"{nginx}/ssl-prefer-server-ciphers": "true",
                       # applications' certificates: asked, verified against the client CA, passed on
                       f"{nginx}/auth-tls-secret": f"{s.namespace}/{i.client_ca_secret}",
                       f"{nginx}/auth-tls-verify-client": "optional",
                       f"{nginx}/auth-tls-verify-depth": "2",
                       f"{nginx}/auth-tls-pass-certificate-to-upstream": "true"}
        if i.cert_manager_issuer:
            annotations["cert-manager.io/cluster-issuer"] = i.cert_manager_issuer
        child(k8s.networking.v1.Ingress, "trustcircle-keycloak", self, depends_on=[keycloak],
              metadata=meta.metadata("trustcircle-keycloak", s.namespace, meta.KEYCLOAK, annotations=annotations),
              spec={"ingressClassName": i.class_name,
                    "tls": [{"hosts": [i.hostname], "secretName": i.tls_secret}],
                    "rules": [{"host": i.hostname, "http": {"paths": [{
                        "path": "/", "pathType": "Prefix",
                        "backend": {"service": {"name": KEYCLOAK_SERVICE, "port": {"name": "http"}}}}]}}]})
