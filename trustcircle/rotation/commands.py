"""The ``rotate`` commands of the command line: ``rotate keys start|status|finish|rollback`` and
``rotate certificates``; arguments, dispatch and what a person reads (docs/rotation.md)."""

from __future__ import annotations

import argparse
from typing import Any

KEYS_HELP = "realm signing and encryption keys, with the old ones passive until every consumer has the new ones"


def _rotation(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from trustcircle.keycloak.admin import Admin
    from trustcircle.model.loader import load_federation
    from trustcircle.rotation.rotate import Rotation
    from trustcircle.target import Target

    federation = load_federation([Path(args.realms)]).settings.id
    return Rotation(Admin(Target.load()), federation, list(args.realm or []))


def _say(lines: list[str]) -> int:
    print("\n".join(lines))
    return 0


def _trust_list(args: argparse.Namespace, rotation: Any) -> list[str]:
    """The trust list signed again, and published, when a rotated realm issues attestations and
    this machine signs it: verifiers learn the new signing key (and forget a removed one) at their
    next refresh, instead of refusing what it signs."""
    from pathlib import Path

    from trustcircle.attestations import commands as attest

    if not attest.published_here():
        return []
    return attest.sign_trust_list(Path(args.realms), publish_it=True, only_if_issuer=set(rotation.targets))


def _start(args: argparse.Namespace) -> int:
    rotation = _rotation(args)
    return _say(rotation.start() + _trust_list(args, rotation))


def _status(args: argparse.Namespace) -> int:
    rotation = _rotation(args)
    return _say(rotation.status() + (rotation.pem() if args.pem else []))


def _finish(args: argparse.Namespace) -> int:
    rotation = _rotation(args)
    return _say(rotation.finish(no_wait=args.no_wait) + _trust_list(args, rotation))


def _rollback(args: argparse.Namespace) -> int:
    rotation = _rotation(args)
    return _say(rotation.rollback() + _trust_list(args, rotation))


def _certificates(args: argparse.Namespace) -> int:
    from trustcircle import tls_policy
    from trustcircle.errors import ConfigurationError
    from trustcircle.local.ca import TlsFiles
    from trustcircle.local.renewal import renew_all
    from trustcircle.local.server import LocalKeycloak

    server = LocalKeycloak()
    tls = server.dir / "tls"
    if not (tls / "ca.pem").exists():
        raise ConfigurationError(f"no local CA in {tls}", "start the local federation first: ./run up")
    renewed = renew_all(tls)
    lines = [r.describe() for r in renewed] or ["nothing the local CA issued was found"]
    conf = server.home / "conf" / "keycloak.conf"
    if server.running():
        reloads = conf.exists() and "https-certificates-reload-period" in conf.read_text()
        lines.append(f"Keycloak (pid {server.status()['pid']}) serves the new certificate within "
                     f"{tls_policy.CERTIFICATES_RELOAD_PERIOD}, without a restart" if reloads else
                     "this Keycloak was configured without a reload period: ./run up restarts it once with one")
    if server.mail.pid() is not None:  # the mail catcher reads its certificate at start only
        server.mail.down()
        server.mail.up(TlsFiles(tls / "ca.pem", tls / "server.pem", tls / "server-key.pem"))
        lines.append("mail catcher restarted with the new certificate")
    lines.append("the CA is unchanged (clients keep trusting ca.pem); an application switching to its new "
                 "certificate gets a new token: tokens are bound to the certificate that asked for them")
    return _say(lines)


def add_rotation_commands(sub: Any) -> None:
    rotate = sub.add_parser("rotate", help="rotate realm keys or the local CA's certificates without an outage "
                                           "(docs/rotation.md)").add_subparsers(dest="what", required=True)
    keys = rotate.add_parser("keys", help=KEYS_HELP).add_subparsers(dest="phase", required=True)

    def phase(name: str, help_text: str, func: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = keys.add_parser(name, help=help_text)
        parser.add_argument("--realm", action="append", metavar="REALM",
                            help="a realm of the federation (repeat); default: every realm of it")
        parser.add_argument("--realms", default="realms", help="the model, for the federation's id (default: realms)")
        parser.set_defaults(func=func)
        return parser

    phase("start", "new keys sign and are encrypted to; the old ones stay passive; links refreshed", _start)
    status = phase("status", "each realm's keys, which realms are mid-rotation, what outside parties must do",
                   _status)
    status.add_argument("--pem", action="store_true", help="print each realm's signing certificate as PEM too")
    finish = phase("finish", "remove the old (passive) keys, once every consumer has the new ones", _finish)
    finish.add_argument("--no-wait", action="store_true",
                        help="do not wait for tokens the old keys signed to expire (they stop verifying at Keycloak)")
    phase("rollback", "the old keys sign again, the new ones passive (finish then removes them)", _rollback)
    rotate.add_parser("certificates", help="renew the local CA's server and application certificates (same CA); "
                                           "Keycloak picks them up without a restart").set_defaults(func=_certificates)
