"""The online verification API a verifier runs (``trustcircle attest serve``), over HTTPS:

- ``POST /nonce`` → ``{"nonce": "...", "expires_in": 300}``: a nonce for one presentation, single
  use, expiring after the rules' presentation age;
- ``POST /verify`` with ``{"presentation": "...", "nonce": "...", "verifier": "...", "ask": ["rsa"]}``
  → ``200`` and the decision (``accepted``, the claims asked for, or the reasons): the same
  verifier as offline, with the status lists fetched now. A nonce this service did not give, or
  gave and saw used or expired, is refused (``replayed``). A malformed request is a ``400`` that
  names the field; nothing else is answered.

The trust list is the verifier's cached copy (``attest refresh``), checked again at each request.
"""

from __future__ import annotations

import json
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trustcircle.attestations import trust_list as tl
from trustcircle.attestations.verify import Decision, Reason, verify_presentation

MAX_BODY = 64 * 1024


@dataclass
class Nonces:
    """Nonces given and not yet used, with their expiry (monotonic seconds)."""

    lifetime_s: int
    given: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def give(self) -> str:
        nonce = secrets.token_urlsafe(24)
        with self.lock:
            now = time.monotonic()
            self.given = {n: t for n, t in self.given.items() if t > now}
            self.given[nonce] = now + self.lifetime_s
        return nonce

    def use(self, nonce: str) -> bool:
        """True once for a nonce given here and still fresh; False ever after."""
        with self.lock:
            expires = self.given.pop(nonce, None)
        return expires is not None and expires > time.monotonic()


@dataclass
class Verifier:
    trust_list: Callable[[int], tl.TrustList]  # the trust list checked at a time (raises TrustListError)
    status_lists: Callable[[str], str | None]
    nonces: Nonces

    def decide(self, body: dict[str, Any]) -> Decision:
        now = int(time.time())
        if not self.nonces.use(body["nonce"]):
            return Decision(False, (Reason("replayed", "the nonce was not given by this verifier, or was already "
                                                       "used, or expired"),))
        try:
            trust = self.trust_list(now)
        except tl.TrustListError as err:
            return Decision(False, (Reason("trust-list", str(err)),))
        return verify_presentation(body["presentation"], trust, self.status_lists, body["verifier"], body["nonce"],
                                   tuple(body["ask"]), now)


def _request_problem(body: object) -> str | None:
    """The field a verification request gets wrong, or None."""
    if not isinstance(body, dict):
        return "the request is not a JSON object"
    for name in ("presentation", "nonce", "verifier"):
        if not isinstance(body.get(name), str) or not body[name]:
            return f"{name}: a non-empty string is required"
    ask = body.get("ask", [])
    if not isinstance(ask, list) or not all(isinstance(c, str) and c for c in ask):
        return "ask: a list of claim names is required"
    return None


def handler_for(verifier: Verifier) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, {"error": f"the request is larger than {MAX_BODY} bytes"})
                return
            if self.path == "/nonce":
                self._answer(200, {"nonce": verifier.nonces.give(), "expires_in": verifier.nonces.lifetime_s})
                return
            if self.path != "/verify":
                self._answer(404, {"error": "POST /nonce or /verify"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                self._answer(400, {"error": "the request is not JSON"})
                return
            problem = _request_problem(body)
            if problem is not None:
                self._answer(400, {"error": problem})
                return
            body.setdefault("ask", [])
            self._answer(200, verifier.decide(body).as_dict())

        def do_GET(self) -> None:
            self._answer(405, {"error": "POST /nonce or /verify"})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # presentations are personal data: the service keeps no log of them

    return Handler


def server(verifier: Verifier, host: str, port: int, cert: str, key: str) -> ThreadingHTTPServer:
    """The service bound to ``host:port`` (TLS 1.2 or later, the given certificate)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert, key)
    httpd = ThreadingHTTPServer((host, port), handler_for(verifier))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    return httpd
