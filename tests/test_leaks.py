"""The scan that keeps key material and credentials out of reports: it finds private keys in every
shape Keycloak and the tests print them, leaves certificates alone, and never prints a value."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from trustcircle.cli import main
from trustcircle.leaks import known_secrets, redact, scan, scan_text
from trustcircle.local.ca import ensure_tls

RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PKCS8_DER = RSA.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
PEM = RSA.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                        serialization.NoEncryption()).decode()
KEYCLOAK_ATTRIBUTE = base64.b64encode(PKCS8_DER).decode()  # saml.signing.private.key as Keycloak stores it


def _kinds(text: str, secrets: tuple[str, ...] = ()) -> list[str]:
    return [f.kind for f in scan_text(text, "report.xml", secrets)]


@pytest.mark.parametrize("text, kind", [
    (PEM, "PEM private key"),
    (f'<failure message="attributes/saml.signing.private.key: &quot;{KEYCLOAK_ATTRIBUTE}&quot; != null"/>',
     "base64 private key (DER)"),
    (json.dumps({"saml.signing.private.key": KEYCLOAK_ATTRIBUTE}), "base64 private key (DER)"),
    (base64.urlsafe_b64encode(ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())).decode(),
     "base64 private key (DER)"),
    ('{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", '
     '"d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}', "private JWK"),
])
def test_private_keys_are_found_in_every_shape(text: str, kind: str) -> None:
    assert kind in _kinds(text)


def test_certificates_and_public_keys_are_not_findings(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path / "tls", ["127.0.0.1"], name="server")
    certificate = files.server_cert.read_text() + files.ca_cert.read_text()
    public = RSA.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    text = certificate + "\n" + base64.b64encode(public).decode() + "\n" + "A" * 400
    assert _kinds(text) == []


def test_a_credential_of_this_machine_is_found_and_short_values_are_ignored() -> None:
    assert _kinds("password=Xq3-very-long-secret", ("Xq3-very-long-secret",)) == ["a credential of this machine"]
    assert _kinds("the admin logged in", ("admin",)) == []


def test_known_secrets_are_read_from_the_state(tmp_path: Path) -> None:
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "admin.json").write_text(json.dumps({"username": "u", "password": "pw-1"}))
    (tmp_path / "pulumi-passphrase").write_text("phrase\n")
    (tmp_path / "ansible-it").mkdir()
    (tmp_path / "ansible-it" / "secrets.env").write_text("TRUSTCIRCLE_IT_DB_PASSWORD=db-2\n")
    assert sorted(known_secrets(tmp_path)) == ["db-2", "phrase", "pw-1"]


def test_redact_removes_keys_and_keeps_the_rest() -> None:
    text = f"attributes/saml.signing.private.key: {KEYCLOAK_ATTRIBUTE} != null\n{PEM}\nend"
    redacted = redact(text)
    assert KEYCLOAK_ATTRIBUTE not in redacted and "PRIVATE KEY-----\nMII" not in redacted
    assert redacted.startswith("attributes/saml.signing.private.key: <private key> != null")
    assert redacted.endswith("end")


def test_the_command_fails_without_printing_the_value(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTCIRCLE_STATE", str(tmp_path / "state"))
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "junit.xml").write_text(f"<x>{KEYCLOAK_ATTRIBUTE}</x>\n")
    (tmp_path / "reports" / "clean.html").write_text("<p>fine</p>\n")
    assert main(["leaks", str(tmp_path / "reports")]) == 1
    printed = capsys.readouterr()
    assert "junit.xml:1: base64 private key (DER)" in printed.err
    assert KEYCLOAK_ATTRIBUTE not in printed.out + printed.err
    assert scan([tmp_path / "reports" / "clean.html"]) == []
