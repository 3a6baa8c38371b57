"""The provider's data API, as a provider should guard it (the reference the docs point partners
and providers to): a bearer token is accepted only if

- it is a JWT signed by a key of the provider realm's JWKS (fetched, cached, and fetched again —
  once — when a token names a key it does not know: key rotation), with an asymmetric algorithm;
- its issuer is the provider realm, its audience this API, and it is within its validity;
- it is bound to the TLS client certificate presenting it (RFC 8705 ``cnf.x5t#S256``);

and the answer holds only the rubriques the token's scopes name (``<api>:<rubrique>``) — and, for
a call on behalf of an agent, only those among the agent's habilitations (the ``habilitation``
claim: what the convention grants them now). Refusals are 401 ``invalid_token`` (or 403
``insufficient_scope``) with a ``WWW-Authenticate`` header saying why, as RFC 6750 asks. Each call
is a JSON line in the API's log, with the provider's user session, so ``trustcircle audit trace``
follows an agent's access from their organisation to the data."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import requests
from jwcrypto import jwk, jws, jwt

from conformance.loopback import serving_https
from trustcircle.model.schema import WebServiceApi

URL = "https://127.0.0.1:8546"
TIMEOUT_S = 30
ALGORITHMS = ["RS256", "PS256", "ES256"]  # never "none", never a shared-secret HMAC


class Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


@dataclass
class ProviderApi:
    api: WebServiceApi
    realm_url: str
    ca_bundle: str
    log_file: Path | None = None
    jwks_fetches: int = 0
    _keys: jwk.JWKSet = field(default_factory=jwk.JWKSet)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base(self) -> str:
        return f"{URL}/{self.api.id}"

    def _fetch_keys(self) -> None:
        answer = requests.get(f"{self.realm_url}/protocol/openid-connect/certs", verify=self.ca_bundle,
                              timeout=TIMEOUT_S)
        answer.raise_for_status()
        self._keys = jwk.JWKSet.from_json(answer.text)
        self.jwks_fetches += 1

    def _key(self, kid: str) -> jwk.JWK:
        with self._lock:
            if self._keys.get_key(kid) is None:  # unknown: fetch again, once (the realm rotated its keys)
                self._fetch_keys()
            key = self._keys.get_key(kid)
        if key is None:
            raise Refused(401, "invalid_token", "signed with a key the provider realm does not publish")
        return key

    def validate(self, token: str, client_certificate: bytes | None) -> dict[str, Any]:
        """The token's claims, or Refused saying why."""
        try:
            header = json.loads(jws.base64url_decode(token.split(".")[0]))
        except (ValueError, IndexError) as err:
            raise Refused(401, "invalid_token", "not a JWT") from err
        if header.get("alg") not in ALGORITHMS:
            raise Refused(401, "invalid_token", f"algorithm {header.get('alg')!r} not accepted")
        try:
            verified = jwt.JWT(jwt=token, key=self._key(str(header.get("kid"))), algs=ALGORITHMS,
                               check_claims=False)
        except (jws.InvalidJWSSignature, jwt.JWTExpired, ValueError) as err:
            raise Refused(401, "invalid_token", f"bad signature: {err}") from err
        claims: dict[str, Any] = json.loads(verified.claims)
        now = time.time()
        if claims.get("iss") != self.realm_url:
            raise Refused(401, "invalid_token", f"issuer {claims.get('iss')!r} is not the provider realm")
        audience = claims.get("aud")
        if self.api.audience not in (audience if isinstance(audience, list) else [audience]):
            raise Refused(401, "invalid_token", f"audience {audience!r} is not this API")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= now:
            raise Refused(401, "invalid_token", "expired")
        if isinstance(claims.get("nbf"), int) and claims["nbf"] > now:
            raise Refused(401, "invalid_token", "not yet valid")
        bound = (claims.get("cnf") or {}).get("x5t#S256")
        if not bound:
            raise Refused(401, "invalid_token", "not bound to a certificate")
        if client_certificate is None:
            raise Refused(401, "invalid_token", "certificate-bound token presented without a client certificate")
        presented = base64.urlsafe_b64encode(hashlib.sha256(client_certificate).digest()).rstrip(b"=").decode()
        if presented != bound:
            raise Refused(401, "invalid_token", "certificate-bound token presented with another certificate")
        return claims

    def rubriques(self, claims: dict[str, Any]) -> list[str]:
        prefix = f"{self.api.id}:"
        return sorted(s[len(prefix):] for s in str(claims.get("scope", "")).split()
                      if s.startswith(prefix) and s[len(prefix):] in self.api.scopes)

    @staticmethod
    def for_an_agent(claims: dict[str, Any]) -> bool:
        """A token of an agent's session, not of the application's own account: Keycloak puts
        ``client_id`` only in service-account tokens."""
        return "client_id" not in claims

    def record(self, claims: dict[str, Any], case: str) -> dict[str, Any]:
        """A case file with only the rubriques the token grants (stand-in data)."""
        granted = self.rubriques(claims)
        if self.for_an_agent(claims):
            habilitations = set(claims.get("habilitation") or [])
            granted = [r for r in granted if r in habilitations]
        if not granted:
            raise Refused(403, "insufficient_scope", f"no scope of {self.api.id}")
        agent = claims.get("sub") if self.for_an_agent(claims) else None
        return {"case": case, "client": claims.get("azp"), "agent": agent,
                "rubriques": {r: f"({r} of case {case})" for r in granted}}

    def log(self, claims: dict[str, Any] | None, case: str, body: dict[str, Any], error: str | None) -> None:
        """One JSON line per call, in the audit trail's shape (``trustcircle audit trace`` reads it)."""
        if self.log_file is None:
            return
        now = time.time()
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z",
                "kind": "api", "realm": self.realm_url.rsplit("/", 1)[-1],
                "type": "API_CALL_ERROR" if error else "API_CALL"}
        if claims:
            line |= {"client": claims.get("azp"), "user": claims.get("sub"), "user_session": claims.get("sid")}
        line |= {"details": {"api": self.api.id, "case": case, "rubriques": sorted(body.get("rubriques", {}))}}
        if error:
            line["error"] = error
        with self._lock, self.log_file.open("a", encoding="utf-8") as out:
            out.write(json.dumps({k: v for k, v in line.items() if v is not None}) + "\n")


class _Handler(BaseHTTPRequestHandler):
    api: ProviderApi

    def do_GET(self) -> None:
        prefix = f"/{self.api.api.id}/cases/"
        if not self.path.startswith(prefix):
            self.send_error(404)
            return
        authorization = self.headers.get("Authorization", "")
        certificate = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
        case, claims = self.path[len(prefix):], None
        try:
            if not authorization.startswith("Bearer "):
                raise Refused(401, "invalid_request", "a bearer token is needed")
            claims = self.api.validate(authorization[len("Bearer "):], certificate)
            status, body = 200, self.api.record(claims, case)
            headers = {}
        except Refused as refused:
            status, body = refused.status, {"error": refused.error, "error_description": refused.description}
            headers = {"WWW-Authenticate": f'Bearer error="{refused.error}", '
                                           f'error_description="{refused.description}"'}
        self.api.log(claims, case, body if status == 200 else {}, None if status == 200 else body["error"])
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(data)), **headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(api: ProviderApi, tls_dir: Path) -> Iterator[ProviderApi]:
    """The API on the loopback, asking clients for a certificate under the local CA."""
    with serving_https(URL, type("Handler", (_Handler,), {"api": api}), tls_dir, "provider-api",
                       client_ca=tls_dir / "ca.pem"):
        yield api
