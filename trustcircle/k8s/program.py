"""What ``__main__.py`` does for a stack with ``trustcircle:platform: k8s``: the Keycloak cluster, then
(when ``trustcircle:k8s.realmsTarget`` names a target description) the federation in ``realms/``,
applied by the same ``Federation`` component as the local stack once the Keycloak pods are rolled out."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_kubernetes as k8s

from trustcircle.deploy.federation import Federation
from trustcircle.deploy.program import realms_path
from trustcircle.errors import ConfigurationError, TrustcircleError
from trustcircle.k8s.cluster import Credentials, KeycloakCluster
from trustcircle.k8s.extension import read_jars
from trustcircle.k8s.settings import K8sSettings, parse
from trustcircle.pipeline import desired_state
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target


def provider(s: K8sSettings) -> k8s.Provider:
    """The cluster of the ambient kubeconfig, or files only when ``renderDirectory`` is set."""
    if s.render_directory:
        return k8s.Provider("k8s", render_yaml_to_directory=str(REPO_ROOT / s.render_directory))
    return k8s.Provider("k8s")


def federation(config: pulumi.Config, s: K8sSettings, cluster: KeycloakCluster) -> Federation:
    """The realms, compiled for the cluster's public URL, applied after the Deployment is ready
    (the cluster does not answer yet at preview: no reachability check)."""
    target_path = Path(s.realms_target)
    target = Target.load(target_path)
    if target.url != cluster.url:
        raise ConfigurationError(f"{target_path} points at {target.url}, the cluster is published at {cluster.url}",
                                 "make the target description's url the ingress host name (https://<hostname>)")
    state = desired_state(realms_path(config), target, target_path, reachable=False)
    return Federation(state.federation, state.objects, target_path, state.target.url, state.timezone,
                      pulumi.ResourceOptions(depends_on=[cluster.ready]))


def build(config: pulumi.Config) -> KeycloakCluster:
    try:
        s = parse(config.get_object("k8s"))
        jars = [] if s.keycloak.prebuilt_image else read_jars(REPO_ROOT / "extensions")
        credentials = Credentials(admin_password=config.get_secret("keycloakAdminPassword"),
                                  database_password=config.get_secret("databasePassword"))
        cluster = KeycloakCluster(s, jars, credentials, pulumi.ResourceOptions(provider=provider(s)))
        if s.realms_target:
            federation(config, s, cluster)
    except TrustcircleError as err:
        raise SystemExit(err.render()) from None
    return cluster
