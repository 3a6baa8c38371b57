"""One source for how nodes cluster and sit behind the proxy (trustcircle/ha.py): the k8s stack and
the Ansible role say the same, and the environment-variable form is Keycloak's own spelling."""

from __future__ import annotations

import yaml

from trustcircle import ha
from trustcircle.k8s.settings import KeycloakSettings
from trustcircle.settings import REPO_ROOT

ROLE = REPO_ROOT / "roles" / "keycloak_server"


def test_the_ansible_role_clusters_as_the_other_paths_do() -> None:
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert defaults["keycloak_server_cache_stack"] == ha.CACHE_STACK
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert ha.CACHE in specs["keycloak_server_cache"]["choices"]


def test_the_k8s_stack_clusters_as_the_other_paths_do() -> None:
    assert KeycloakSettings().cache_stack == ha.CACHE_STACK


def test_options_are_spelt_as_keycloak_reads_its_environment() -> None:
    assert ha.as_env({"cache-stack": "jdbc-ping", "spi-x509cert-lookup--nginx--ssl-client-cert": "h"}) == [
        {"name": "KC_CACHE_STACK", "value": "jdbc-ping"},
        {"name": "KC_SPI_X509CERT_LOOKUP__NGINX__SSL_CLIENT_CERT", "value": "h"}]
