"""A wallet, as a test client: it holds a key of its own, obtains an attestation from the
provider's OpenID for Verifiable Credential Issuance endpoint (the agent signing in through their
organisation, then a proof of possession of the wallet's key over the issuer's nonce), and
presents it to a verifier, disclosing only what it is asked for, with a key-binding JWT over the
verifier's nonce. The SD-JWT side is the ``sd-jwt`` library's holder; JOSE is jwcrypto's."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from jwcrypto import jwk, jws
from sd_jwt.holder import SDJWTHolder

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.flows import brokered_login
from conformance.loopback import serving_https
from trustcircle.target import Target

ALG = "ES256"
PROOF_TYPE = "openid4vci-proof+jwt"
TIMEOUT_S = 30


class _Callback(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"the wallet received the code")

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Wallet:
    def __init__(self) -> None:
        self.key = jwk.JWK.generate(kty="EC", crv="P-256")
        self.credentials: list[str] = []

    def public_jwk(self) -> dict[str, str]:
        exported: dict[str, str] = self.key.export_public(as_dict=True)
        return exported

    def receive(self, credential: str) -> None:
        self.credentials.append(credential)

    # --- obtaining one (OID4VCI) -----------------------------------------------------------------
    def sign_in(self, target: Target, realm: str, client_id: str, redirect: str, scope: str, organisation: str,
                agent: Agent) -> requests.Response:
        """The agent signs in to the wallet through their organisation (authorization code, PKCE):
        the token endpoint's answer."""
        realm_url = f"{target.url}/realms/{realm}"
        verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
        query = urlencode({"response_type": "code", "client_id": client_id, "redirect_uri": redirect, "state": state,
                           "scope": f"openid {scope}",
                           "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                           .rstrip(b"=").decode(), "code_challenge_method": "S256"})
        with serving_https(redirect, _Callback, Path(target.ca_bundle).parent, "wallet-callback"):
            page = brokered_login(Browser(str(target.ca_bundle)), f"{realm_url}/protocol/openid-connect/auth?{query}",
                                  organisation, agent)
        assert page.url.startswith(redirect), (page.url, page.status, page.text[:1500])
        returned = parse_qs(urlsplit(page.url).query)
        assert returned["state"] == [state]
        return requests.post(f"{realm_url}/protocol/openid-connect/token", verify=str(target.ca_bundle),
                             timeout=TIMEOUT_S,
                             data={"grant_type": "authorization_code", "code": returned["code"][0],
                                   "redirect_uri": redirect, "code_verifier": verifier, "client_id": client_id})

    def proof(self, issuer: str, nonce: str) -> str:
        """A proof of possession of the wallet's key, for ``issuer``, over its nonce."""
        token = jws.JWS(json.dumps({"aud": issuer, "iat": int(time.time()), "nonce": nonce}).encode())
        token.add_signature(self.key, alg=ALG, protected=json.dumps(
            {"alg": ALG, "typ": PROOF_TYPE, "jwk": self.public_jwk()}))
        return str(token.serialize(compact=True))

    def request_credential(self, target: Target, realm: str, access_token: str,
                           credential_id: str) -> requests.Response:
        """The credential endpoint's answer to a request for ``credential_id`` with a fresh proof."""
        issuer = f"{target.url}/realms/{realm}"
        nonce = requests.post(f"{issuer}/protocol/oid4vc/nonce", verify=str(target.ca_bundle), timeout=TIMEOUT_S)
        assert nonce.status_code == 200, nonce.text
        return requests.post(f"{issuer}/protocol/oid4vc/credential", verify=str(target.ca_bundle), timeout=TIMEOUT_S,
                             headers={"Authorization": f"Bearer {access_token}"},
                             json={"credential_identifier": credential_id,
                                   "proofs": {"jwt": [self.proof(issuer, nonce.json()["c_nonce"])]}})

    def obtain(self, target: Target, realm: str, client_id: str, redirect: str, credential_id: str,
               organisation: str, agent: Agent) -> str:
        tokens = self.sign_in(target, realm, client_id, redirect, credential_id, organisation, agent)
        assert tokens.status_code == 200, tokens.text
        answer = self.request_credential(target, realm, tokens.json()["access_token"], credential_id)
        assert answer.status_code == 200, answer.text
        credential: str = answer.json()["credentials"][0]["credential"]
        self.receive(credential)
        return credential

    # --- presenting one --------------------------------------------------------------------------
    def present(self, disclose: tuple[str, ...], nonce: str, audience: str, credential: str | None = None,
                key: jwk.JWK | None = None) -> str:
        """The latest credential (or ``credential``) presented to ``audience``: only the claims in
        ``disclose``, bound to ``nonce`` and signed by the wallet's key (or ``key``)."""
        holder = SDJWTHolder(credential or self.credentials[-1])
        holder.create_presentation({claim: True for claim in disclose}, nonce=nonce, aud=audience,
                                   holder_key=key or self.key, sign_alg=ALG)
        presentation: str = holder.sd_jwt_presentation
        return presentation
