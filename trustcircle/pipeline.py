"""``realms/`` + a target → the desired Keycloak objects: the one pipeline every path calls
(``pulumi up`` on the local and k8s stacks, ``trustcircle apply`` under Ansible, and the tests).

It validates the model (every problem at once, nothing applied), checks that the target answers,
gives the compiler the target's environment (public URL, outgoing mail and, for the local
federation only, the certificates of its stand-in e-services) and compiles.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import requests

from trustcircle import ids
from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.desired import DesiredObject
from trustcircle.compiler.environment import Environment
from trustcircle.errors import ConfigurationError, KeycloakApiError
from trustcircle.local.stand_ins import USES, ensure_stand_in
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation
from trustcircle.settings import Paths
from trustcircle.target import Target

REACHABILITY_TIMEOUT_S = 10


@dataclass(frozen=True)
class DesiredState:
    federation: str  # the id in realms/federation.yaml: what trustcircle owns is scoped to it
    objects: list[DesiredObject]
    target: Target
    timezone: str  # in which realms/ writes convention dates (the preview shows them so)


def local_target_path() -> Path:
    return Paths.from_env().local / "target.json"


def check_reachable(target: Target) -> None:
    try:
        requests.get(f"{target.url}/realms/master", verify=str(target.ca_bundle), timeout=REACHABILITY_TIMEOUT_S)
    except (requests.RequestException, OSError) as err:
        raise KeycloakApiError(f"Keycloak at {target.url} is unreachable ({type(err).__name__})",
                               "start it (./run local up) or fix the target description; nothing was changed") from err


def stand_in_certificates(federation: Federation, target_path: Path) -> dict[str, dict[str, str]]:
    """Certificates of the services that use the local stand-in's keys (local target only):
    service id → use (encryption, signing) → PEM."""
    paths = Paths.from_env()
    wanted = {s.id: [use for use in USES if (given := getattr(s, use)) is not None and given.local_stand_in]
              for p in federation.providers for s in p.services if s.protocol == "saml"}
    wanted = {service: uses for service, uses in wanted.items() if uses}
    if wanted and target_path.resolve() != local_target_path().resolve():
        raise ConfigurationError(f"service(s) {', '.join(wanted)} use the local stand-in e-service's keys, "
                                 "which only the local federation has",
                                 "give each service's own certificates in realms/ (encryption.certificate, "
                                 "signing.certificate)")
    return {service: {use: ensure_stand_in(paths.stand_ins / service, service, use).certificate_pem for use in uses}
            for service, uses in wanted.items()}


def issues_attestations(target: Target) -> bool:
    """Whether the target's Keycloak has the extension's attestations (its OID4VCI mapper loaded:
    Keycloak 26.7 or later with feature oid4vc-vci), read from its server information."""
    from trustcircle.keycloak.admin import Admin

    info = Admin(target).server_info()
    mappers = (info.get("providers", {}).get("protocol-mapper", {}) or {}).get("providers", {}) or {}
    return ids.HABILITATION_ATTESTATION_MAPPER in mappers


def target_environment(target: Target, stand_ins: dict[str, dict[str, str]], attestations: bool = True) -> Environment:
    return Environment(public_url=target.url, stand_in_certificates=stand_ins, smtp=target.smtp,
                       attestations=attestations)


def desired_state(realms: Path, target: Target, stand_ins_of: Path, *, reachable: bool = True) -> DesiredState:
    """The federation in ``realms`` compiled for ``target``. ``stand_ins_of``: the target description
    whose stand-in e-services the services marked ``local_stand_in`` use (the local federation's
    file only). ``reachable``: check first that the target answers."""
    federation = load_federation([realms])
    attestations = True
    if reachable:
        check_reachable(target)
        if any(p.attestations for p in federation.providers) and not (attestations := issues_attestations(target)):
            print(f"trustcircle: warning: the Keycloak at {target.url} cannot issue habilitation attestations "
                  "(Keycloak 26.7 or later with the extension's attestations module and feature oid4vc-vci): "
                  "realms/ is applied without them", file=sys.stderr)
    environment = target_environment(target, stand_in_certificates(federation, stand_ins_of), attestations)
    objects = compile_federation(federation, environment)
    return DesiredState(federation.settings.id, objects, target, federation.settings.timezone)


def desired_state_of(realms: Path, target_path: Path | None = None, *, reachable: bool = True) -> DesiredState:
    """The same for the target described at ``target_path`` (default: the local federation's)."""
    path = target_path or local_target_path()
    return desired_state(realms, Target.load(path), path, reachable=reachable)
