"""An OpenID Connect relying party standing for an OIDC e-service of the reference federation.

It does what a real confidential e-service does: it publishes its public keys (JWKS) over HTTPS,
starts the authorization code flow with PKCE (S256), a state and a nonce, receives the code at its
redirect URI, and redeems it with a signed client assertion (private_key_jwt, RFC 7523): no shared
secret exists. Tokens are checked against the provider realm's published keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from jwcrypto import jwk, jwt

from conformance.loopback import serving_https
from trustcircle.model.schema import OidcService

TIMEOUT_S = 30


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Authorization:
    """One authorization request in flight: what the RP must find again at its redirect URI."""

    url: str
    state: str
    nonce: str
    verifier: str


@dataclass
class RelyingParty:
    service: OidcService
    realm_url: str
    ca_bundle: str
    key: jwk.JWK = field(default_factory=lambda: jwk.JWK.generate(kty="RSA", size=2048, kid=secrets.token_hex(8),
                                                                 use="sig", alg="RS256"))

    def jwks(self) -> dict[str, Any]:
        return {"keys": [json.loads(self.key.export_public())]}

    def authorize(self, scope: str = "openid") -> Authorization:
        state, nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(16), secrets.token_urlsafe(48)
        query = urlencode({"response_type": "code", "client_id": self.service.client_id, "scope": scope,
                           "redirect_uri": str(self.service.redirect_uris[0]), "state": state, "nonce": nonce,
                           "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
                           "code_challenge_method": "S256"})
        return Authorization(f"{self.realm_url}/protocol/openid-connect/auth?{query}", state, nonce, verifier)

    def client_assertion(self) -> str:
        now = int(time.time())
        token = jwt.JWT(header={"alg": "RS256", "kid": self.key.kid, "typ": "JWT"},
                        claims={"iss": self.service.client_id, "sub": self.service.client_id,
                                "aud": f"{self.realm_url}/protocol/openid-connect/token",
                                "jti": secrets.token_urlsafe(16), "iat": now, "exp": now + 60})
        token.make_signed_token(self.key)
        return str(token.serialize())

    def redeem(self, authorization: Authorization, redirected_to: str) -> requests.Response:
        """Check the state at the redirect URI and exchange the code for tokens."""
        query = parse_qs(urlsplit(redirected_to).query)
        assert query.get("state") == [authorization.state], redirected_to
        assert "code" in query, f"no code at the redirect URI: {redirected_to}"
        return requests.post(f"{self.realm_url}/protocol/openid-connect/token", timeout=TIMEOUT_S,
                             verify=self.ca_bundle, data={
                                 "grant_type": "authorization_code", "code": query["code"][0],
                                 "redirect_uri": str(self.service.redirect_uris[0]),
                                 "code_verifier": authorization.verifier, "client_id": self.service.client_id,
                                 "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                                 "client_assertion": self.client_assertion()})

    def verified_claims(self, token: str) -> dict[str, Any]:
        """The claims of a token signed by the provider realm (signature, issuer and expiry checked)."""
        keys = requests.get(f"{self.realm_url}/protocol/openid-connect/certs", timeout=TIMEOUT_S,
                            verify=self.ca_bundle).json()
        checked = jwt.JWT(jwt=token, key=jwk.JWKSet.from_json(json.dumps(keys)), expected_type="JWS",
                          check_claims={"iss": self.realm_url, "exp": None})
        claims: dict[str, Any] = json.loads(checked.claims)
        return claims


class _Handler(BaseHTTPRequestHandler):
    rp: RelyingParty

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == urlsplit(str(self.rp.service.jwks_url)).path:
            body, kind = json.dumps(self.rp.jwks()).encode(), "application/json"
        elif path == urlsplit(str(self.rp.service.redirect_uris[0])).path:
            body, kind = b"<html><body>signed in</body></html>", "text/html"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(rp: RelyingParty, tls_dir: Path) -> Iterator[RelyingParty]:
    """Serve the RP's JWKS (Keycloak fetches it to check client assertions) and redirect URI."""
    with serving_https(str(rp.service.jwks_url), type("Handler", (_Handler,), {"rp": rp}), tls_dir,
                       "conformance-rp"):
        yield rp
