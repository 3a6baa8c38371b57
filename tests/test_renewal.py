"""Renewing what the local CA issued: server certificates keep their names, application
certificates their subject, the CAs are left as they are, and what another issuer made is not touched."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509

from trustcircle.local.ca import application_certificate, ensure_issuing_ca, ensure_tls
from trustcircle.local.renewal import renew_all
from trustcircle.local.stand_ins import ensure_stand_in


def _leaf(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificates(path.read_bytes())[0]


def test_server_and_application_certificates_are_renewed_under_the_same_ca(tmp_path: Path) -> None:
    server = ensure_tls(tmp_path, ["127.0.0.1", "localhost"])
    stand_in = ensure_tls(tmp_path, ["127.0.0.1"], name="conformance-idp")
    chain, key, subject = application_certificate(tmp_path, "cd33", "gestion-rsa")
    ensure_issuing_ca(tmp_path)
    foreign = ensure_stand_in(tmp_path / "stand-ins", "cdap", "signing")  # self-signed: not the CA's
    cas = {name: (tmp_path / name).read_bytes() for name in ("ca.pem", "ca-key.pem", "issuing-ca.pem")}
    old = {p: _leaf(p) for p in (server.server_cert, stand_in.server_cert, chain)}
    untouched = foreign.certificate.read_bytes()

    renewed = renew_all(tmp_path)

    assert sorted((r.path.name, r.kind) for r in renewed) == [
        ("conformance-idp.pem", "server"), ("gestion-rsa.pem", "client"), ("server.pem", "server")]
    for path, before in old.items():
        after = _leaf(path)
        assert after.serial_number != before.serial_number and after.subject == before.subject
        assert after.issuer == before.issuer
        assert after.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value == \
            before.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert _leaf(server.server_cert).extensions.get_extension_for_class(x509.SubjectAlternativeName).value == \
        old[server.server_cert].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert _leaf(chain).subject.rfc4514_string() == subject
    _leaf(server.server_cert).verify_directly_issued_by(x509.load_pem_x509_certificate(cas["ca.pem"]))
    assert {name: (tmp_path / name).read_bytes() for name in cas} == cas  # the CAs kept
    assert foreign.certificate.read_bytes() == untouched
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(server.server_key.stat().st_mode) == 0o600
    assert not list(tmp_path.rglob("*.new"))  # each pair moved into place whole
