"""Renewal of what the local CA issued, keeping the CA (``./run rotate certificates``).

Every end-entity certificate under the local CA's directory with its key beside it
(``<name>.pem`` and ``<name>-key.pem``, sub-directories included) gets a new key and a full lifetime:

- **server certificates** the root CA signed (Keycloak's ``server.pem``, the stand-ins'): the same
  names (DNS names and addresses);
- **client certificates** of applications the issuing CA signed (``applications/``, written by
  ``./run local certificate NAME --application ORG``): the same subject, which the provider's client
  registration names, and the same lifetime as before.

Each pair is moved into place whole (Keycloak re-reads its files every ``https-certificates-reload-period``
and serves the new certificate without a restart). The CAs stay as they are: every client keeps
trusting ``ca.pem``. Anything else (another issuer, a CA) is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from trustcircle.local.ca import ensure_issuing_ca, ensure_tls, issue_client_certificate

APPLICATIONS = "applications"


@dataclass(frozen=True)
class Renewed:
    path: Path
    kind: str  # "server" or "client"
    subject: str
    old_serial: int
    new_serial: int
    not_after: dt.datetime

    def describe(self) -> str:
        return (f"{self.kind} certificate {self.path} ({self.subject}): serial {self.old_serial:x} -> "
                f"{self.new_serial:x}, valid until {self.not_after:%Y-%m-%d}")


def _leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def _usages(cert: x509.Certificate) -> set[x509.ObjectIdentifier]:
    try:
        return set(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)
    except x509.ExtensionNotFound:
        return set()


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _hosts(cert: x509.Certificate) -> list[str]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return [str(name.value) for name in san]


def issued_pairs(directory: Path) -> list[Path]:
    """The certificate files under ``directory`` with a key beside them (CAs' own files excepted)."""
    return sorted(p for p in directory.rglob("*.pem")
                  if not p.name.endswith("-key.pem") and p.with_name(f"{p.stem}-key.pem").exists()
                  and not _is_ca(_leaf(p)))


def renew_all(directory: Path) -> list[Renewed]:
    """Renew every certificate the local CA (root or issuing) issued under ``directory``."""
    root = _leaf(directory / "ca.pem")
    issuing = _leaf(directory / "issuing-ca.pem") if (directory / "issuing-ca.pem").exists() else None
    renewed = []
    for path in issued_pairs(directory):
        old = _leaf(path)
        if old.issuer == root.subject and ExtendedKeyUsageOID.SERVER_AUTH in _usages(old) \
                and path.parent == directory:
            ensure_tls(directory, _hosts(old), name=path.stem, renew=True)
            kind = "server"
        elif issuing is not None and old.issuer == issuing.subject \
                and ExtendedKeyUsageOID.CLIENT_AUTH in _usages(old):
            lifetime = old.not_valid_after_utc - old.not_valid_before_utc
            issue_client_certificate(ensure_issuing_ca(directory), old.subject, lifetime=lifetime) \
                .write(path.parent, path.stem)
            kind = "client"
        else:
            continue
        new = _leaf(path)
        renewed.append(Renewed(path, kind, old.subject.rfc4514_string(), old.serial_number, new.serial_number,
                               new.not_valid_after_utc))
    return renewed
