"""How trustcircle's Keycloak nodes form a cluster and sit behind a TLS-terminating proxy: the one
source of these settings for the local cluster (``trustcircle.local.cluster``, ``./run up --cluster``),
the k8s stack (``trustcircle.k8s.keycloak_pod``) and the Ansible role (``roles/keycloak_server``,
whose defaults ``tests/test_ha_settings.py`` holds to this module).

- **Caches**: Keycloak's embedded Infinispan (``cache=ispn``), its nodes finding each other through
  the shared database (``cache-stack=jdbc-ping``: no multicast, nothing to configure per network, the
  same on loopback, VMs and pods). Since Keycloak 26 user sessions are persisted in the database
  too, so a node's loss loses no established session; the distributed caches keep two owners of
  every entry (Keycloak's default), so a sign-in under way survives one node too. The nodes talk
  to each other over mutual TLS (``cache-embedded-mtls-enabled``, Keycloak's default, keys in the
  database).
- **Proxy**: TLS ends at nginx (the ingress controller on k8s, the load balancer of the local
  cluster). It verifies an application's client certificate and passes it, with the verification's
  outcome, in two headers, which Keycloak's ``nginx`` X.509 lookup reads (the proxy overwrites any
  such header a client sends); the proxy's ``X-Forwarded-*`` headers give Keycloak the client's address and scheme.
"""

from __future__ import annotations

from typing import Final

CACHE = "ispn"
CACHE_STACK: Final = "jdbc-ping"
CLIENT_CERT_HEADER = "ssl-client-cert"
CLIENT_VERIFY_HEADER = "ssl-client-verify"  # SUCCESS when the proxy verified it (Keycloak reads nothing else)


def cluster_options() -> dict[str, str]:
    """Keycloak's build-time options of a clustered node."""
    return {"cache": CACHE, "cache-stack": CACHE_STACK}


def proxy_build_options() -> dict[str, str]:
    """Keycloak's build-time option behind the TLS-terminating nginx: which X.509 lookup."""
    return {"spi-x509cert-lookup--provider": "nginx"}


def proxy_options() -> dict[str, str]:
    """Keycloak's run-time options behind the TLS-terminating nginx."""
    return {"proxy-headers": "xforwarded",
            "spi-x509cert-lookup--nginx--ssl-client-cert": CLIENT_CERT_HEADER,
            "spi-x509cert-lookup--nginx--certificate-chain-length": "1",
            "spi-x509cert-lookup--nginx--trust-proxy-verification": "true"}


def as_env(options: dict[str, str]) -> list[dict[str, str]]:
    """Keycloak options as its environment variables (``a-b--c`` is ``KC_A_B__C``)."""
    return [{"name": "KC_" + "__".join(part.replace("-", "_") for part in name.split("--")).upper(),
             "value": value} for name, value in options.items()]
