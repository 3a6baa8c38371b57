"""A SAML 2.0 service provider built on pysaml2 (xmlsec1 underneath), standing for an e-service.

It sends real AuthnRequests and checks responses the way a production SP does: signatures against
the IdP's metadata, audience, recipient, validity window and InResponseTo.
"""

from __future__ import annotations

import base64
import re
import shutil
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import requests
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef, NameID
from saml2.samlp import RequestedAuthnContext
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from conformance.xmlenc import (
    DecryptionError,
    decrypt_assertion,
    verify_response_signature,
    without_response_signature,
)
from trustcircle.local.stand_ins import Use, ensure_stand_in
from trustcircle.model.schema import SamlService, ServiceCertificate
from trustcircle.settings import Paths
from trustcircle.target import Target

TIMEOUT_S = 30


@dataclass(frozen=True)
class Assertion:
    name_id: str
    name_id_format: str
    attributes: dict[str, list[str]]
    issuer: str
    authn_context: str  # the AuthnContextClassRef: the level of assurance the IdP asserts


class ServiceProvider:
    def __init__(self, entity_id: str, acs_url: str, idp_metadata_url: str, ca_bundle: str,
                 slo_url: str | None = None, decryption: tuple[Path, Path] | None = None,
                 signing: tuple[Path, Path] | None = None) -> None:
        """``decryption``, ``signing``: the service's key pairs (key, certificate) for those uses;
        with ``signing`` every request is signed (RSA-SHA256), in the XML (HTTP-POST) or in the
        query (HTTP-Redirect)."""
        xmlsec = shutil.which("xmlsec1")
        if xmlsec is None:
            raise RuntimeError("xmlsec1 is missing: ./run setup installs it (Debian package xmlsec1)")
        metadata = requests.get(idp_metadata_url, verify=ca_bundle, timeout=TIMEOUT_S)
        metadata.raise_for_status()
        self.decryption = decryption
        # every signing certificate the IdP publishes (two while its key rotates: the new one first)
        self.idp_certificates = _signing_certificates(metadata.text)
        self.idp_certificate = self.idp_certificates[0]

        def client(want_response_signed: bool) -> Saml2Client:
            config = SPConfig()
            config.load({
                "entityid": entity_id,
                "xmlsec_binary": xmlsec,
                **({"key_file": str(signing[0]), "cert_file": str(signing[1])} if signing else {}),
                "metadata": {"inline": [metadata.text]},
                "service": {"sp": {
                    "endpoints": {"assertion_consumer_service": [(acs_url, BINDING_HTTP_POST)],
                                  **({"single_logout_service": [(slo_url, BINDING_HTTP_POST)]} if slo_url else {})},
                    "allow_unsolicited": False,
                    "authn_requests_signed": signing is not None,
                    "logout_requests_signed": signing is not None,
                    "want_assertions_signed": True,
                    "want_response_signed": want_response_signed,
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "name_id_format_allow_create": True,
                }},
                "accepted_time_diff": 30,
                # Keycloak sends attributes in the basic name format, named as the service expects them
                "allow_unknown_attributes": True,
            })
            return Saml2Client(config)

        self.signs = signing is not None
        self.client = client(want_response_signed=True)
        # for a decrypted response: its signature (over the encrypted form) was checked beforehand
        self.decrypted_client = client(want_response_signed=False)
        self.idp_entity_id = next(iter(self.client.metadata.identity_providers()))
        self.outstanding: dict[str, str] = {}

    def _signed(self) -> dict[str, Any]:
        return {"sign": True, "sigalg": SIG_RSA_SHA256, "digest_alg": DIGEST_SHA256} if self.signs else {"sign": False}

    def login_url(self, authn_context: str | None = None) -> str:
        """An SP-initiated AuthnRequest over the HTTP-Redirect binding; ``authn_context``: the
        level of assurance requested (RequestedAuthnContext, comparison minimum)."""
        extra = {"requested_authn_context": RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=authn_context)], comparison="minimum")} \
            if authn_context else {}
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.idp_entity_id, binding=BINDING_HTTP_REDIRECT, relay_state="/cdap/home", **self._signed(),
            **extra)
        self.outstanding[request_id] = "/cdap/home"
        return str(dict(info["headers"])["Location"])

    def login_form(self) -> tuple[str, dict[str, str]]:
        """An SP-initiated AuthnRequest over the HTTP-POST binding: the form's action and fields."""
        request_id, info = self.client.prepare_for_authenticate(
            entityid=self.idp_entity_id, binding=BINDING_HTTP_POST, relay_state="/cdap/home", **self._signed())
        self.outstanding[request_id] = "/cdap/home"
        html = info["data"]
        action = re.search(r'action="([^"]+)"', html)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
        assert action is not None and "SAMLRequest" in fields, html
        return unescape(action.group(1)), {k: unescape(v) for k, v in fields.items()}

    def logout_url(self, name_id: str) -> str:
        """An SP-initiated LogoutRequest for the agent's session (HTTP-Redirect binding)."""
        subject = NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id)
        requests_by_idp = self.client.do_logout(subject, [self.idp_entity_id], reason="", expire=None,
                                                expected_binding=BINDING_HTTP_REDIRECT, **self._signed())
        binding, info = requests_by_idp[self.idp_entity_id]
        assert binding == BINDING_HTTP_REDIRECT, binding
        return str(dict(info["headers"])["Location"])

    def logout_done(self, saml_response: str) -> bool:
        """Whether a LogoutResponse (HTTP-POST) says the logout succeeded."""
        response: Any = self.client.parse_logout_request_response(saml_response, BINDING_HTTP_POST)
        return bool(response is not None and response.status_ok())

    def accept(self, saml_response: str) -> Assertion:
        """Verify a response received at the ACS (HTTP-POST); raises when anything is wrong.

        A response answers one outstanding request, once: the request is forgotten when its
        answer is accepted, so a replayed response is unsolicited."""
        xml = base64.b64decode(saml_response).decode()
        client = self.client
        if "EncryptedAssertion" in xml:
            if self.decryption is None:
                raise DecryptionError("the assertion is encrypted and this service has no key for it")
            _verify_with_any(xml, self.idp_certificates)
            xml = without_response_signature(decrypt_assertion(xml, self.decryption[0].read_bytes()))
            saml_response, client = base64.b64encode(xml.encode()).decode(), self.decrypted_client
        response: Any = client.parse_authn_request_response(saml_response, BINDING_HTTP_POST,
                                                            outstanding=self.outstanding)
        if response is None:
            raise AssertionError("pysaml2 rejected the response")
        self.outstanding.pop(response.in_response_to, None)
        name_id = response.assertion.subject.name_id
        authn = response.assertion.authn_statement[0].authn_context.authn_context_class_ref
        return Assertion(name_id=name_id.text, name_id_format=name_id.format,
                         attributes=response.get_identity(), issuer=response.issuer(),
                         authn_context=authn.text.strip() if authn is not None else "")


def pem_certificate(base64_der: str) -> bytes:
    """A certificate as SAML metadata carries it (base64 DER, maybe wrapped), as PEM."""
    body = "".join(base64_der.split())
    return ("-----BEGIN CERTIFICATE-----\n" + "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
            + "\n-----END CERTIFICATE-----\n").encode()


def _signing_certificates(metadata: str) -> list[bytes]:
    """The IdP's signing certificates from its metadata, in its order, as PEM."""
    found = re.findall(r'<(?:\w+:)?KeyDescriptor use="signing">.*?<(?:\w+:)?X509Certificate>([^<]+)<', metadata, re.S)
    if not found:
        raise AssertionError("the IdP metadata carries no signing certificate")
    return [pem_certificate(body) for body in found]


def _verify_with_any(xml: str, certificates: list[bytes]) -> None:
    """The response's signature checks with one of the published certificates (as an SP tries each
    KeyDescriptor); the last failure otherwise."""
    for certificate in certificates[:-1]:
        try:
            return verify_response_signature(xml, certificate)
        except DecryptionError:
            continue
    verify_response_signature(xml, certificates[-1])


def for_service(target: Target, service: SamlService, entity_id: str | None = None,
                decrypt: bool = True, sign: bool = True, provider_realm: str = "cnaf") -> ServiceProvider:
    """The SP standing for ``service`` of the provider realm (cnaf unless said): its ACS and SLO
    endpoints, and, when its assertions are encrypted for (or its requests signed by) the local
    stand-in, that key pair (unless ``decrypt``, or ``sign``, is False: an SP without the key).
    ``entity_id`` overrides who the SP says it is."""

    def stand_in(use: Use, wanted: bool, given: ServiceCertificate | None) -> tuple[Path, Path] | None:
        if not wanted or given is None or not given.local_stand_in:
            return None
        pair = ensure_stand_in(Paths.from_env().stand_ins / service.id, service.id, use)
        return pair.key, pair.certificate

    return ServiceProvider(entity_id or service.entity_id, str(service.acs_url),
                           f"{target.url}/realms/{provider_realm}/protocol/saml/descriptor", str(target.ca_bundle),
                           slo_url=str(service.slo_url) if service.slo_url else None,
                           decryption=stand_in("encryption", decrypt, service.encryption),
                           signing=stand_in("signing", sign, service.signing))
