"""Keycloak's TLS as an attacker's client sees it: TLS 1.0 and 1.1 refused, and in TLS 1.2 every
suite without forward secrecy or without AEAD refused; TLS 1.2 with ECDHE and AES-GCM, and TLS 1.3,
accepted; HSTS on the pages; a client certificate asked for (mutual TLS for applications) but not
required (browsers)."""

from __future__ import annotations

import ssl
from urllib.parse import urlparse

import pytest
import requests

from conformance.tls_probe import handshake
from trustcircle.target import Target

WEAK_TLS12 = {  # OpenSSL names: what an old or careless client offers
    "RSA key exchange, CBC": "AES128-SHA:AES256-SHA",
    "RSA key exchange, GCM": "AES128-GCM-SHA256:AES256-GCM-SHA384",
    "ECDHE, CBC": "ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384",
    "finite-field DHE": "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
}


def _where(target: Target) -> tuple[str, int]:
    url = urlparse(target.url)
    return str(url.hostname), url.port or 443


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_tls_1_0_and_1_1_are_refused(target: Target, version: ssl.TLSVersion) -> None:
    host, port = _where(target)
    with pytest.raises(ssl.SSLError) as refused:
        handshake(host, port, target.ca_bundle, version)
    assert "NO_PROTOCOLS_AVAILABLE" not in str(refused.value)  # refused by the server, not by this client


@pytest.mark.parametrize("case", sorted(WEAK_TLS12))
def test_weak_tls_1_2_suites_are_refused(target: Target, case: str) -> None:
    host, port = _where(target)
    with pytest.raises(ssl.SSLError) as refused:
        handshake(host, port, target.ca_bundle, ssl.TLSVersion.TLSv1_2, WEAK_TLS12[case] + ":@SECLEVEL=0")
    assert "HANDSHAKE_FAILURE" in str(refused.value).upper(), refused.value


def test_strong_suites_are_accepted(target: Target) -> None:
    host, port = _where(target)
    assert handshake(host, port, target.ca_bundle, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES256-GCM-SHA384") == (
        "TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384")
    assert handshake(host, port, target.ca_bundle, ssl.TLSVersion.TLSv1_3)[0] == "TLSv1.3"


def test_pages_carry_hsts(target: Target) -> None:
    for path in ("/realms/cnaf/account", "/realms/cnaf/protocol/openid-connect/auth?client_id=account-console"):
        answer = requests.get(f"{target.url}{path}", verify=str(target.ca_bundle), timeout=30, allow_redirects=False)
        hsts = answer.headers.get("Strict-Transport-Security", "")
        assert "max-age=" in hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31_536_000, (path, hsts)
