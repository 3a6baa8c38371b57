"""The Keycloak features trustcircle turns on, the one source of them for the local server, the
local cluster, the k8s stack and the Ansible role (``tests/test_features.py`` holds the role's
default to this module). A feature is a build-time option: changing the list rebuilds the server.

- ``oid4vc-vci`` (experimental in Keycloak 26.7): Keycloak's own OpenID for Verifiable Credential
  Issuance, which issues the habilitation attestations in the SD-JWT VC format (``dc+sd-jwt``,
  docs/attestations.md). trustcircle adds what it lacks: the Token Status List, revocation and
  the federation's trust list. The pre-authorized-code and REST credential-offer features are left
  off: an agent always signs in through their organisation to obtain an attestation.
"""

from __future__ import annotations

FEATURES: tuple[str, ...] = ("oid4vc-vci",)


def keycloak_options() -> dict[str, str]:
    """Keycloak's build-time option for them."""
    return {"features": ",".join(FEATURES)}
