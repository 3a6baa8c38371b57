"""A SAML 2.0 identity provider that is not Keycloak, built on pysaml2 (xmlsec1 underneath): it
stands for an organisation that runs its own IdP (the hospital in the reference federation).

It publishes its metadata over HTTPS (certificate from the local CA, which Keycloak trusts),
receives the provider realm's AuthnRequests (HTTP-POST or HTTP-Redirect), shows a login form,
checks the agent's password and answers with a signed response and a signed assertion carrying a
persistent, pseudonymous NameID per service provider (HMAC of the agent's internal id: stable when
the agent's name or e-mail changes) and the agent's attributes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import html
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.response import IncorrectlySigned
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from conformance.loopback import serving_https
from conformance.saml_sp import pem_certificate
from conformance.xmlenc import encrypt_assertion

PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


@dataclass
class ExternalAgent:
    """An account of the external IdP (its own directory, not Keycloak)."""

    internal_id: str
    username: str
    password: str
    attributes: dict[str, list[str]]


def _signing_key(directory: Path) -> tuple[Path, Path]:
    """A self-signed signing certificate, as SAML metadata usually carries (keys 0600, never in git)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "conformance external IdP signing")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=2)).sign(key, hashes.SHA256()))
    key_path, cert_path = directory / "idp-signing-key.pem", directory / "idp-signing.pem"
    key_path.touch(mode=0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@dataclass
class ExternalIdP:
    entity_id: str
    sso_url: str
    metadata_url: str
    sp_metadata: str
    work: Path
    agents: dict[str, ExternalAgent] = field(default_factory=dict)
    pending: dict[str, tuple[Any, str]] = field(default_factory=dict)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    in_clear: bool = False  # send assertions unencrypted even when the SP publishes a key (a misconfiguration)

    def __post_init__(self) -> None:
        self.server, self.metadata = self._server(self.work / "keys")

    def _server(self, keys: Path) -> tuple[Server, str]:
        xmlsec = shutil.which("xmlsec1")
        if xmlsec is None:
            raise RuntimeError("xmlsec1 is missing: ./run setup installs it (Debian package xmlsec1)")
        key, cert = _signing_key(keys)
        config = IdPConfig()
        config.load({
            "entityid": self.entity_id,
            "xmlsec_binary": xmlsec,
            "key_file": str(key),
            "cert_file": str(cert),
            "metadata": {"inline": [self.sp_metadata]},
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(self.sso_url, BINDING_HTTP_POST),
                                                         (self.sso_url, BINDING_HTTP_REDIRECT)]},
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": True,
                "sign_response": True,
                "sign_assertion": True,
                "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_BASIC}},
            }},
            "accepted_time_diff": 30,
        })
        return _EncryptingServer(config=config), create_metadata_string(None, config=config, sign=False).decode()

    @contextmanager
    def signing_with_an_unpublished_key(self) -> Iterator[None]:
        """Answer with signatures of a key the published metadata does not carry (an impostor)."""
        genuine = self.server
        self.server = self._server(self.work / "rogue-keys")[0]
        try:
            yield
        finally:
            self.server = genuine

    def add_agent(self, username: str, attributes: dict[str, list[str]]) -> ExternalAgent:
        agent = ExternalAgent(secrets.token_hex(8), username, secrets.token_urlsafe(12), attributes)
        self.agents[username] = agent
        return agent

    def pseudonym(self, agent: ExternalAgent, sp_entity_id: str) -> str:
        """Persistent and pairwise: the same for one agent and one SP, unrelated across SPs."""
        return hmac.new(self.secret, f"{agent.internal_id}|{sp_entity_id}".encode(), hashlib.sha256).hexdigest()

    def login_page(self, saml_request: str, relay_state: str, binding: str) -> tuple[int, str]:
        """The sign-in page for a request whose signature checks against the SP's metadata (400 otherwise)."""
        try:
            request = self.server.parse_authn_request(saml_request, binding)
        except IncorrectlySigned as error:
            return 400, f"<html><body>The request is refused: {html.escape(type(error).__name__)}.</body></html>"
        token = secrets.token_urlsafe(16)
        self.pending[token] = (request, relay_state)
        return 200, (f'<html><body><form id="kc-form-login" method="post" action="{html.escape(self.sso_url)}/login">'
                     f'<input type="hidden" name="pending" value="{token}">'
                     '<input name="username" value=""><input name="password" type="password" value="">'
                     "</form></body></html>")

    def answer(self, token: str, username: str, password: str) -> tuple[int, str]:
        pending = self.pending.pop(token, None)
        agent = self.agents.get(username)
        if pending is None or agent is None or not hmac.compare_digest(agent.password, password):
            return 401, "<html><body>Invalid username or password.</body></html>"
        request, relay_state = pending
        message = request.message
        sp_entity_id = message.issuer.text
        acs = message.assertion_consumer_service_url
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.pseudonym(agent, sp_entity_id))
        # encrypted when the SP's metadata publishes a key for it (the provider's link does)
        encrypt_to = None if self.in_clear else _encryption_certificate(self.server, sp_entity_id)
        response = self.server.create_authn_response(
            identity=agent.attributes, in_response_to=message.id, destination=acs, sp_entity_id=sp_entity_id,
            name_id=name_id, authn={"class_ref": PASSWORD_PROTECTED, "authn_auth": self.entity_id},
            sign_response=True, sign_assertion=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256,
            encrypt_assertion=encrypt_to is not None, encrypt_assertion_self_contained=True,
            encrypt_cert_assertion=encrypt_to)
        form = self.server.apply_binding(BINDING_HTTP_POST, str(response), acs, relay_state, response=True)
        return 200, str(form["data"])


class _EncryptingServer(Server):  # type: ignore[misc]
    """pysaml2's IdP, encrypting assertions with AES-256-GCM and RSA-OAEP (SHA-256): pysaml2 itself
    encrypts with xmlsec1 templates of 3DES-CBC and RSA-OAEP-MGF1P (SHA-1), which no federation
    should accept. pysaml2 signs the assertion before and the response after, as usual."""

    def _encrypt_assertion(self, encrypt_cert: str | None, sp_entity_id: str | None, response: Any,
                           node_xpath: str | None = None) -> str:
        assert encrypt_cert is not None
        return encrypt_assertion(str(response), encrypt_cert.encode())


def _encryption_certificate(server: Server, sp_entity_id: str) -> str | None:
    """The PEM certificate the SP's metadata publishes for encryption, if any."""
    for _, body in server.metadata.certs(sp_entity_id, "spsso", "encryption"):
        return pem_certificate(body).decode()
    return None


class _Handler(BaseHTTPRequestHandler):
    idp: ExternalIdP

    def _send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == urlsplit(self.idp.metadata_url).path:
            self._send(200, self.idp.metadata, "application/samlmetadata+xml")
        elif url.path == urlsplit(self.idp.sso_url).path:
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            self._send(*self.idp.login_page(query["SAMLRequest"], query.get("RelayState", ""),
                                            BINDING_HTTP_REDIRECT))
        else:
            self._send(404, "not found")

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        if url.path == urlsplit(self.idp.sso_url).path:
            self._send(*self.idp.login_page(form["SAMLRequest"], form.get("RelayState", ""), BINDING_HTTP_POST))
        elif url.path == urlsplit(self.idp.sso_url).path + "/login":
            self._send(*self.idp.answer(form.get("pending", ""), form.get("username", ""), form.get("password", "")))
        else:
            self._send(404, "not found")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(idp: ExternalIdP, tls_dir: Path) -> Iterator[ExternalIdP]:
    """Serve the IdP's metadata and SSO endpoint on its declared loopback address and port."""
    with serving_https(idp.metadata_url, type("Handler", (_Handler,), {"idp": idp}), tls_dir, "conformance-idp"):
        yield idp
