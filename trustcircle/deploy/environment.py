"""The compiler's environment for a deployment target: its public URL and, for the local
federation, the certificates of its stand-in e-services."""

from __future__ import annotations

from pathlib import Path

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.desired import DesiredObject
from trustcircle.compiler.environment import Environment
from trustcircle.errors import ConfigurationError
from trustcircle.local.stand_ins import USES, ensure_stand_in
from trustcircle.local.target import Target
from trustcircle.model.schema import Federation
from trustcircle.settings import Paths


def stand_in_certificates(federation: Federation, target_path: Path) -> dict[str, dict[str, str]]:
    """Certificates of the services that use the local stand-in's keys (local target only):
    service id → use (encryption, signing) → PEM."""
    paths = Paths.from_env()
    wanted = {s.id: [use for use in USES if (given := getattr(s, use)) is not None and given.local_stand_in]
              for p in federation.providers for s in p.services if s.protocol == "saml"}
    wanted = {service: uses for service, uses in wanted.items() if uses}
    if wanted and target_path.resolve() != (paths.local / "target.json").resolve():
        raise ConfigurationError(f"service(s) {', '.join(wanted)} use the local stand-in e-service's keys, "
                                 "which only the local federation has",
                                 "give each service's own certificates in realms/ (encryption.certificate, "
                                 "signing.certificate)")
    return {service: {use: ensure_stand_in(paths.stand_ins / service, service, use).certificate_pem for use in uses}
            for service, uses in wanted.items()}


def target_environment(target: Target, stand_ins: dict[str, dict[str, str]]) -> Environment:
    """The compiler's environment for ``target``: its public URL and outgoing mail, and the
    stand-in e-services' certificates (local federation only). Every deployment path uses this."""
    return Environment(public_url=target.url, stand_in_certificates=stand_ins, smtp=target.smtp)


def environment_for(federation: Federation, target_path: Path | None = None) -> Environment:
    """What compiling ``federation`` for the target at ``target_path`` (default: the local one) needs."""
    path = target_path or Paths.from_env().local / "target.json"
    target = Target.load(path)
    return target_environment(target, stand_in_certificates(federation, path))


def desired_state(federation: Federation, target_path: Path | None = None) -> list[DesiredObject]:
    """The federation compiled for the target at ``target_path`` (default: the local one)."""
    return compile_federation(federation, environment_for(federation, target_path))
