"""The local Keycloak: HTTPS with TLS 1.2+ only, the extension loaded, `up` idempotent, secrets 0600."""

from __future__ import annotations

import socket
import ssl
import stat
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from trustcircle.keycloak.admin import Admin
from trustcircle.target import Target


def _handshake(target: Target, version: ssl.TLSVersion) -> str:
    url = urlparse(target.url)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(str(target.ca_bundle))
    ctx.minimum_version = ctx.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    with socket.create_connection((url.hostname, url.port), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname=url.hostname) as tls:
        return str(tls.version())


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1])
def test_old_tls_versions_are_refused(target: Target, version: ssl.TLSVersion) -> None:
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _handshake(target, version)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_12_and_13_are_served_with_a_certificate_of_the_local_ca(target: Target,
                                                                     version: ssl.TLSVersion) -> None:
    expected = {ssl.TLSVersion.TLSv1_2: "TLSv1.2", ssl.TLSVersion.TLSv1_3: "TLSv1.3"}[version]
    assert _handshake(target, version) == expected


def test_the_extension_is_loaded_by_the_server(admin: Admin) -> None:
    info = admin._kc.connection.raw_get("admin/serverinfo").json()
    assert "trustcircle-convention-gate" in info["providers"]["authenticator"]["providers"]
    assert info["systemInfo"]["version"].startswith("26.")


def test_admin_credentials_are_private(target: Target) -> None:
    assert stat.S_IMODE(target.admin_credentials.stat().st_mode) == 0o600


def test_second_local_up_is_a_quick_no_op() -> None:
    result = subprocess.run([sys.executable, "-m", "trustcircle", "local", "up"], capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stderr


def test_local_state_is_private_to_its_owner(target: Target) -> None:
    local = target.admin_credentials.parent
    assert stat.S_IMODE(local.stat().st_mode) == 0o700
