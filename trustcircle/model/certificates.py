"""Certificates given in the model (PEM): parsed, checked, and handed to Keycloak as it wants them."""

from __future__ import annotations

import base64
import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

MIN_RSA_BITS = 2048


def certificate_problem(pem: str, now: dt.datetime | None = None) -> str | None:
    """Why a PEM certificate is unusable for encryption, or None."""
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError:
        return "not a PEM certificate"
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        return f"the certificate's key must be RSA of {MIN_RSA_BITS} bits at least"
    if (now or dt.datetime.now(dt.UTC)) >= cert.not_valid_after_utc:
        return f"the certificate expired on {cert.not_valid_after_utc.date()}"
    return None


def der_base64(pem: str) -> str:
    """The certificate as Keycloak stores it in client attributes: base64 DER, no PEM armour."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()
