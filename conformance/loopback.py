"""HTTPS servers the suite runs for the parties it plays (an e-service, an identity provider), on
the loopback address and port ``realms/`` gives them, with a certificate from the local CA (which
Keycloak trusts: it calls them with certificate verification on)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from trustcircle.local.ca import ensure_tls


@contextmanager
def serving_https(url: str, handler: type[BaseHTTPRequestHandler], tls_dir: Path, name: str,
                  client_ca: Path | None = None) -> Iterator[None]:
    """Serve ``handler`` at the host and port of ``url`` until the block ends; ``client_ca``: ask
    clients for a certificate issued under it (optional: the handler decides what lacking one means)."""
    endpoint = urlsplit(url)
    assert endpoint.hostname in ("127.0.0.1", "localhost"), f"{name} serves on loopback only, not {url}"
    files = ensure_tls(tls_dir, [endpoint.hostname], name=name)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(files.server_cert, files.server_key)
    if client_ca is not None:
        context.load_verify_locations(client_ca)
        context.verify_mode = ssl.CERT_OPTIONAL
    try:
        server = ThreadingHTTPServer((endpoint.hostname, endpoint.port or 443), handler)
    except OSError as err:
        raise AssertionError(f"port {endpoint.port} for {name} is busy: {err}") from err
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
