"""Key pairs of the local federation's stand-in e-services (the conformance suite plays them).

A real e-service publishes its own certificates (to encrypt assertions to, to check its signed
requests with), given in ``realms/``. The local federation's stand-ins have none to give, so the
local set-up makes them, one key pair per service and use, beside the local CA: the private key
stays in the local state (0600); Keycloak gets the certificate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from trustcircle.local.ca import RENEW_BEFORE, write_private

LIFETIME = dt.timedelta(days=730)
Use = Literal["encryption", "signing"]
USES: tuple[Use, ...] = get_args(Use)


@dataclass(frozen=True)
class StandIn:
    key: Path
    certificate: Path

    @property
    def certificate_pem(self) -> str:
        return self.certificate.read_text()


def ensure_stand_in(directory: Path, service_id: str, use: Use = "encryption") -> StandIn:
    """The service's key pair for ``use``, made on first use and renewed near its end."""
    found = StandIn(directory / f"{use}-key.pem", directory / f"{use}.pem")
    if found.key.exists() and found.certificate.exists():
        cert = x509.load_pem_x509_certificate(found.certificate.read_bytes())
        if cert.not_valid_after_utc - dt.datetime.now(dt.UTC) > RENEW_BEFORE:
            return found
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "trustcircle local"),
                      x509.NameAttribute(NameOID.COMMON_NAME, f"stand-in e-service {service_id} ({use})")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + LIFETIME)
            .add_extension(x509.KeyUsage(digital_signature=use == "signing", content_commitment=False,
                                         key_encipherment=use == "encryption", data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False, crl_sign=False,
                                         encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    write_private(found.key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    found.certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return found
