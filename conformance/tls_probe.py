"""A TLS client that offers what it is told to (old versions, weak suites), to see what a server
refuses. Verification stays on: the deployment's CA is trusted, never bypassed."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

TIMEOUT_S = 10


def handshake(host: str, port: int, ca: Path, version: ssl.TLSVersion, ciphers: str = "DEFAULT:@SECLEVEL=0",
              certificate: tuple[Path, Path] | None = None) -> tuple[str, str]:
    """(protocol, cipher) agreed when offering only ``version`` and ``ciphers`` (OpenSSL names, TLS
    1.2 and below; SECLEVEL=0 so this client does offer old versions and suites and the server is
    the one refusing), optionally presenting ``certificate`` (chain, key); raises ssl.SSLError."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(ca)
    context.minimum_version = context.maximum_version = version
    context.set_ciphers(ciphers)
    if certificate is not None:
        context.load_cert_chain(*certificate)
    with socket.create_connection((host, port), timeout=TIMEOUT_S) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        cipher = tls.cipher()
        return str(tls.version()), cipher[0] if cipher else ""
