"""The SAML metadata the provider publishes: its identity-provider descriptor (for the e-services),
each e-service's registration, and its service-provider descriptor per organisation link, checked
as a partner would before importing them: endpoints, certificates, algorithms, signature."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import xml.etree.ElementTree as ET

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conformance.xmldsig import MD, verify
from trustcircle.keycloak.admin import Admin
from trustcircle.keycloak.client import find_client
from trustcircle.model.schema import Federation
from trustcircle.target import Target

NS = {"md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
TIMEOUT_S = 30


def _get(target: Target, path: str) -> str:
    response = requests.get(f"{target.url}{path}", verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    response.raise_for_status()
    return response.text


def _certificates(root: ET.Element, use: str) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(base64.b64decode("".join((c.text or "").split())))
            for k in root.iter(f"{{{NS['md']}}}KeyDescriptor") if k.get("use") in (use, None)
            for c in k.iter(f"{{{NS['ds']}}}X509Certificate")]


def _check_certificate(cert: x509.Certificate) -> None:
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048, "RSA of 2048 bits at least"
    now = dt.datetime.now(dt.UTC)
    assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc, "certificate valid now"
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name in ("sha256", "sha512")


def _check_idp_descriptor(text: str, target: Target, realm: str) -> x509.Certificate:
    root = ET.fromstring(text)  # noqa: S314 (fetched over verified TLS from the deployment under test)
    idp = root.find("md:IDPSSODescriptor", NS)
    assert idp is not None and "urn:oasis:names:tc:SAML:2.0:protocol" in (idp.get("protocolSupportEnumeration") or "")
    endpoints = {(s.get("Binding"), s.get("Location")) for s in idp.findall("md:SingleSignOnService", NS)}
    sso = f"{target.url}/realms/{realm}/protocol/saml"
    assert {(POST, sso), (REDIRECT, sso)} <= endpoints, endpoints
    assert all(location and location.startswith("https://") for _, location in endpoints)
    assert PERSISTENT in [n.text for n in idp.findall("md:NameIDFormat", NS)]
    signing = _certificates(idp, "signing")
    assert signing, "a signing certificate is published"
    for cert in signing:
        _check_certificate(cert)
    return signing[0]


@pytest.fixture(scope="module")
def realm_certificate(target: Target) -> x509.Certificate:
    return _check_idp_descriptor(_get(target, "/realms/cnaf/protocol/saml/descriptor"), target, "cnaf")


def test_the_providers_idp_descriptor_is_complete_and_strong(realm_certificate: x509.Certificate) -> None:
    assert realm_certificate.subject.rfc4514_string() == "CN=cnaf"


def test_each_e_services_registration_matches_the_model(
        admin: Admin, federation: Federation) -> None:
    """The SP descriptor Keycloak holds for each SAML e-service: its entity id and its ACS, as in
    realms/ (what the e-service's operator compares with their own metadata)."""
    for service in federation.provider("cnaf").services:
        if service.protocol != "saml":
            continue
        client = find_client(admin, "cnaf", service.client_id)
        assert client is not None
        text = admin.get_text(f"/cnaf/clients/{client['id']}/installation/providers/saml-sp-descriptor")
        root = ET.fromstring(text)  # noqa: S314 (fetched over verified TLS from the deployment under test)
        assert root.get("entityID") == service.entity_id
        sp = root.find("md:SPSSODescriptor", NS)
        assert sp is not None
        acs = {(a.get("Binding"), a.get("Location")) for a in sp.findall("md:AssertionConsumerService", NS)}
        assert (POST, str(service.acs_url)) in acs, acs


def _verify(xml: str, cert: x509.Certificate) -> subprocess.CompletedProcess[str]:
    return verify(xml, cert.public_bytes(serialization.Encoding.PEM), f"{MD}:EntityDescriptor")


@pytest.mark.parametrize("organisation", ["cd33", "chu-bordeaux"])
def test_the_sp_descriptor_of_each_organisation_link_is_signed_and_points_home(
        target: Target, organisation: str, realm_certificate: x509.Certificate) -> None:
    text = _get(target, f"/realms/cnaf/broker/{organisation}/endpoint/descriptor")
    root = ET.fromstring(text)  # noqa: S314 (fetched over verified TLS from the deployment under test)
    assert root.get("entityID") == f"{target.url}/realms/cnaf"
    sp = root.find("md:SPSSODescriptor", NS)
    assert sp is not None and sp.get("WantAssertionsSigned") == "true"
    # the provider signs its requests with the realm's key, and says so
    assert sp.get("AuthnRequestsSigned") == "true"
    assert realm_certificate in _certificates(sp, "signing")
    # assertions are encrypted to the key published here, by organisations' realms and own IdPs alike
    encryption = [k for k in sp.findall("md:KeyDescriptor", NS) if k.get("use") == "encryption"]
    assert encryption, "a key to encrypt assertions to"
    for cert in _certificates(sp, "encryption"):
        _check_certificate(cert)
    methods = {m.get("Algorithm") for k in encryption for m in k.findall("md:EncryptionMethod", NS)}
    assert "http://www.w3.org/2009/xmlenc11#rsa-oaep" in methods, methods
    acs = {(a.get("Binding"), a.get("Location")) for a in sp.findall("md:AssertionConsumerService", NS)}
    assert (POST, f"{target.url}/realms/cnaf/broker/{organisation}/endpoint") in acs, acs
    assert PERSISTENT in [n.text for n in sp.findall("md:NameIDFormat", NS)]

    verified = _verify(text, realm_certificate)
    assert verified.returncode == 0, verified.stderr
    tampered = _verify(text.replace(f"/broker/{organisation}/endpoint", "/broker/elsewhere/endpoint", 1),
                       realm_certificate)
    assert tampered.returncode != 0, "a changed descriptor must fail verification"
