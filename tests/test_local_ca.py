"""The local CA: private keys 0600, SANs as asked, reused while valid, chain verifies."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography import x509

from trustcircle.local.ca import ensure_tls


def test_ca_and_server_certificate(tmp_path: Path) -> None:
    files = ensure_tls(tmp_path, ["127.0.0.1", "localhost"])
    for key in (files.server_key, tmp_path / "ca-key.pem"):
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
    chain = x509.load_pem_x509_certificates(files.server_cert.read_bytes())
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
    chain[0].verify_directly_issued_by(ca)
    san = chain[0].extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert {str(i) for i in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1"}
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]


def test_second_call_reuses_and_new_hosts_reissue(tmp_path: Path) -> None:
    first = ensure_tls(tmp_path, ["127.0.0.1"])
    before = first.server_cert.read_bytes()
    assert ensure_tls(tmp_path, ["127.0.0.1"]).server_cert.read_bytes() == before
    assert ensure_tls(tmp_path, ["127.0.0.1", "kc.local"]).server_cert.read_bytes() != before
