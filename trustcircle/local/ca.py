"""The local certificate authority: a root CA and the Keycloak server certificate it signs.

Generated once per machine under the local state directory; private keys are written with mode
0600 and never leave it. Clients trust ``ca.pem`` (TLS verification always stays on).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_LIFETIME = dt.timedelta(days=3650)
SERVER_LIFETIME = dt.timedelta(days=397)
RENEW_BEFORE = dt.timedelta(days=30)


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _ensure_ca(directory: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    cert_path, key_path = directory / "ca.pem", directory / "ca-key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey) and cert.not_valid_after_utc - _now() > RENEW_BEFORE:
            return cert, key
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustcircle local"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"trustcircle local root CA {os.uname().nodename}"),
    ])
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _server_cert_ok(path: Path, ca: x509.Certificate, hosts: list[str]) -> bool:
    if not path.exists():
        return False
    cert = x509.load_pem_x509_certificates(path.read_bytes())[0]
    if cert.issuer != ca.subject or cert.not_valid_after_utc - _now() < RENEW_BEFORE:
        return False
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))
    return names == set(hosts)


def _general_name(host: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        return x509.DNSName(host)


def replace_pair(key_path: Path, key_pem: bytes, cert_path: Path, chain: bytes) -> None:
    """Write a key (0600) and its certificate chain beside the old ones, then move both into place:
    a server re-reading the files (Keycloak's reload period) never finds half of a pair written."""
    write_private(key_path.with_name(key_path.name + ".new"), key_pem)
    cert_path.with_name(cert_path.name + ".new").write_bytes(chain)
    os.replace(key_path.with_name(key_path.name + ".new"), key_path)
    os.replace(cert_path.with_name(cert_path.name + ".new"), cert_path)


def ensure_tls(directory: Path, hosts: list[str], name: str = "server", renew: bool = False) -> TlsFiles:
    """Create (or renew when close to expiry, or when ``renew``) the CA and a server certificate
    valid for ``hosts``, written as ``<name>.pem`` (chain) and ``<name>-key.pem`` beside the CA; the
    CA stays as it is (until close to its own expiry)."""
    ca_cert, ca_key = _ensure_ca(directory)
    files = TlsFiles(directory / "ca.pem", directory / f"{name}.pem", directory / f"{name}-key.pem")
    if not renew and _server_cert_ok(files.server_cert, ca_cert, hosts) and files.server_key.exists():
        return files
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + SERVER_LIFETIME)
        .add_extension(x509.SubjectAlternativeName([_general_name(h) for h in hosts]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    replace_pair(files.server_key, _key_pem(key), files.server_cert, chain)
    return files


ISSUING_LIFETIME = dt.timedelta(days=1825)
CLIENT_LIFETIME = dt.timedelta(days=7)  # short-lived instead of a revocation list: a lost key expires in days


@dataclass(frozen=True)
class ClientCertificate:
    """An application's certificate: ``chain`` (its certificate, then the issuing CA's) and key, PEM."""

    chain: bytes
    key: bytes
    subject: str  # RFC 4514, as the provider's client registration names it
    sha256_thumbprint: bytes  # of the DER certificate: what a certificate-bound token carries (x5t#S256)

    def write(self, directory: Path, name: str) -> tuple[Path, Path]:
        """``<name>.pem`` (chain) and ``<name>-key.pem`` (mode 0600) in ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        replace_pair(directory / f"{name}-key.pem", self.key, directory / f"{name}.pem", self.chain)
        return directory / f"{name}.pem", directory / f"{name}-key.pem"


def ensure_issuing_ca(directory: Path) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    """The issuing CA for applications' client certificates, signed by the local root (path length
    0: it issues end-entity certificates only)."""
    root, root_key = _ensure_ca(directory)
    cert_path, key_path = directory / "issuing-ca.pem", directory / "issuing-ca-key.pem"
    if cert_path.exists() and key_path.exists():
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if isinstance(key, rsa.RSAPrivateKey) and cert.issuer == root.subject \
                and cert.not_valid_after_utc - _now() > RENEW_BEFORE:
            return cert, key
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    now = _now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustcircle local"),
            x509.NameAttribute(NameOID.COMMON_NAME, "trustcircle local issuing CA (applications)")]))
        .issuer_name(root.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + ISSUING_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256())
    )
    write_private(key_path, _key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def client_subject(organisation: str, application: str) -> x509.Name:
    """The subject of an organisation's application certificate: CN=<application>,OU=applications,O=<organisation>."""
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "applications"),
                      x509.NameAttribute(NameOID.COMMON_NAME, application)])


def issue_client_certificate(issuer: tuple[x509.Certificate, rsa.RSAPrivateKey], subject: x509.Name,
                             lifetime: dt.timedelta = CLIENT_LIFETIME,
                             not_before: dt.datetime | None = None) -> ClientCertificate:
    """A TLS client certificate for an application (EC P-256 key), issued by ``issuer``."""
    ca_cert, ca_key = issuer
    key = ec.generate_private_key(ec.SECP256R1())
    start = not_before or _now() - dt.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + lifetime)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    chain = cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM)
    return ClientCertificate(chain, key_pem, subject.rfc4514_string(),
                             hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest())


def application_certificate(directory: Path, organisation: str, application: str) -> tuple[Path, Path, str]:
    """Issue an application's client certificate into ``<directory>/applications/<organisation>/``
    (renewed with the rest by ``./run rotate certificates``): chain, key and subject."""
    cert = issue_client_certificate(ensure_issuing_ca(directory), client_subject(organisation, application))
    chain, key = cert.write(directory / "applications" / organisation, application)
    return chain, key, cert.subject
