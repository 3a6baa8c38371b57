"""Encryption certificates in the model, and the local stand-in's, which only the local federation has."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from trustcircle.errors import ConfigurationError
from trustcircle.local.stand_ins import ensure_stand_in
from trustcircle.model.certificates import certificate_problem, der_base64
from trustcircle.model.loader import load_federation
from trustcircle.pipeline import stand_in_certificates
from trustcircle.settings import REPO_ROOT


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, days: int = 30) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "service")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_usable_and_unusable_certificates() -> None:
    good = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert certificate_problem(good) is None
    assert base64.b64decode(der_base64(good))[:1] == b"\x30"  # DER, no PEM armour
    assert certificate_problem("garbage") == "not a PEM certificate"
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (what is refused)
    assert "RSA of 2048" in str(certificate_problem(_pem(weak)))
    assert "RSA of 2048" in str(certificate_problem(_pem(ec.generate_private_key(ec.SECP256R1()))))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)
    assert "expired" in str(certificate_problem(good, now=later))


def test_stand_in_keys_are_private_and_kept(tmp_path: Path) -> None:
    first = ensure_stand_in(tmp_path / "cdap", "cdap")
    assert first.key.stat().st_mode & 0o777 == 0o600
    assert certificate_problem(first.certificate_pem) is None
    assert ensure_stand_in(tmp_path / "cdap", "cdap").certificate_pem == first.certificate_pem


def test_a_stand_in_is_refused_for_any_target_but_the_local_one(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCIRCLE_STATE", str(tmp_path / "state"))
    federation = load_federation([REPO_ROOT / "realms"])
    other = tmp_path / "prod-target.json"
    other.write_text(json.dumps({"url": "https://kc.example", "ca_bundle": "ca.pem", "admin_credentials": "a.json"}))
    with pytest.raises(ConfigurationError, match="only the local federation has"):
        stand_in_certificates(federation, other)
    local = stand_in_certificates(federation, tmp_path / "state" / "local" / "target.json")
    assert set(local) == {"cdap"} and set(local["cdap"]) == {"encryption", "signing"}
    assert all("BEGIN CERTIFICATE" in pem for pem in local["cdap"].values())
    assert local["cdap"]["encryption"] != local["cdap"]["signing"], "one key pair per use"
