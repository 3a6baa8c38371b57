"""What a real SAML service provider checks, case by case: both request bindings, strong
algorithms, and every kind of bad response refused — by the service provider (pysaml2) or by
Keycloak, as each test says."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from saml2 import time_util

from conformance.agents import Agent
from conformance.browser import Browser, Page
from conformance.flows import brokered_login, saml_response_of
from conformance.saml_sp import ServiceProvider, for_service
from conformance.xmlenc import DecryptionError, decrypt_assertion
from trustcircle import ids
from trustcircle.local.stand_ins import ensure_stand_in
from trustcircle.model.schema import SamlService
from trustcircle.target import Target

SHA256_OR_STRONGER = ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                      "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmlenc#sha256",
                      "http://www.w3.org/2001/04/xmlenc#sha512")


def _sp(target: Target, cdap: SamlService, entity_id: str | None = None) -> ServiceProvider:
    return for_service(target, cdap, entity_id=entity_id)


@pytest.fixture
def answered(target: Target, cdap: SamlService,
             make_agent: Callable[..., Agent]) -> tuple[ServiceProvider, str]:
    """A service provider with one outstanding request, and Keycloak's genuine answer to it."""
    agent = make_agent("cd33", "instructeurs-rsa")
    sp = _sp(target, cdap)
    page = brokered_login(Browser(str(target.ca_bundle)), sp.login_url(), "cd33", agent)
    return sp, saml_response_of(page, str(cdap.acs_url))


def _xml(response: str) -> str:
    return base64.b64decode(response).decode()


def _b64(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def test_the_http_post_binding_works_as_well_as_redirect(
        target: Target, cdap: SamlService, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    sp = _sp(target, cdap)
    action, fields = sp.login_form()
    page = brokered_login(Browser(str(target.ca_bundle)), action, "cd33", agent, post=fields)
    assert sp.accept(saml_response_of(page, str(cdap.acs_url))).attributes[ids.HABILITATION_ATTRIBUTE]


def test_signatures_and_digests_are_sha256_or_stronger(answered: tuple[ServiceProvider, str]) -> None:
    xml = _xml(answered[1])
    algorithms = re.findall(r'(?:SignatureMethod|DigestMethod) Algorithm="([^"]+)"', xml)
    assert algorithms and all(a in SHA256_OR_STRONGER for a in algorithms), algorithms
    assert "SignatureValue" in xml  # the response is signed (the assertion's signature is inside its encryption)


def test_the_assertion_is_encrypted_with_aes_256_gcm_and_rsa_oaep_for_the_service(
        target: Target, cdap: SamlService, answered: tuple[ServiceProvider, str]) -> None:
    sp, response = answered
    xml = _xml(response)
    assert "EncryptedAssertion" in xml and "<saml:Assertion" not in xml
    assert "AttributeValue" not in xml and "dossier" not in xml  # nothing readable on the way
    methods = re.findall(r'EncryptionMethod Algorithm="([^"]+)"', xml)
    assert "http://www.w3.org/2009/xmlenc11#aes256-gcm" in methods
    assert "http://www.w3.org/2009/xmlenc11#rsa-oaep" in methods
    assert 'DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"' in xml  # OAEP's digest
    assert re.search(r'MGF [^>]*Algorithm="http://www.w3.org/2009/xmlenc11#mgf1sha256"', xml)  # and its MGF
    keyless = for_service(target, cdap, decrypt=False)
    keyless.outstanding.update(sp.outstanding)
    with pytest.raises(DecryptionError, match="no key"):
        keyless.accept(response)
    assert sp.accept(response).attributes[ids.HABILITATION_ATTRIBUTE]  # the service's key opens it


def test_the_genuine_answer_is_accepted_once_then_a_replay_is_refused_by_the_sp(
        answered: tuple[ServiceProvider, str]) -> None:
    sp, response = answered
    assert sp.accept(response).attributes[ids.HABILITATION_ATTRIBUTE]
    with pytest.raises(Exception, match=r"(?i)unsolicited"):
        sp.accept(response)


def test_a_tampered_assertion_is_refused_by_the_sp(answered: tuple[ServiceProvider, str]) -> None:
    sp, response = answered
    xml = _xml(response)
    cipher = re.findall(r"<xenc:CipherValue>([^<]+)</xenc:CipherValue>", xml)[-1]  # the assertion's ciphertext
    data = bytearray(base64.b64decode(cipher))
    data[len(data) // 2] ^= 0x01  # one bit of the assertion changed on the way
    tampered = xml.replace(cipher, base64.b64encode(bytes(data)).decode())
    assert tampered != xml
    # the response's signature covers the ciphertext: it is the first check to fail
    with pytest.raises(DecryptionError, match="signature does not verify"):
        sp.accept(_b64(tampered))
    # and were the signature stripped with it, AES-GCM's tag would not check either
    assert sp.decryption is not None
    with pytest.raises(DecryptionError, match="cannot decrypt"):
        decrypt_assertion(tampered, sp.decryption[0].read_bytes())


def test_an_unsigned_response_is_refused_by_the_sp(answered: tuple[ServiceProvider, str]) -> None:
    sp, response = answered
    unsigned = re.sub(r"<dsig:Signature.*?</dsig:Signature>|<ds:Signature.*?</ds:Signature>", "", _xml(response),
                      flags=re.S)
    assert "SignatureValue" not in unsigned
    with pytest.raises(Exception, match=r"(?i)signed|signature"):
        sp.accept(_b64(unsigned))


def test_a_response_for_another_audience_is_refused_by_the_sp(
        target: Target, cdap: SamlService, answered: tuple[ServiceProvider, str]) -> None:
    sp, response = answered
    other = _sp(target, cdap, entity_id="urn:trustcircle:sp:another-service")
    other.outstanding.update(sp.outstanding)  # even expecting this very answer
    with pytest.raises(Exception, match="AudienceRestrictions"):
        other.accept(response)


def test_an_expired_assertion_is_refused_by_the_sp(
        answered: tuple[ServiceProvider, str], monkeypatch: pytest.MonkeyPatch) -> None:
    sp, response = answered
    later = time_util.utc_now() + 3600  # an hour later: past the assertion's NotOnOrAfter
    monkeypatch.setattr(time_util, "utc_now", lambda: later)
    with pytest.raises(Exception, match=r"(?i)too old|not on or after|expired|time"):
        sp.accept(response)


def test_an_unsolicited_response_is_refused_by_the_sp(
        target: Target, cdap: SamlService, answered: tuple[ServiceProvider, str]) -> None:
    stranger = _sp(target, cdap)  # no request outstanding, unsolicited responses not allowed
    with pytest.raises(Exception, match=r"(?i)unsolicited"):
        stranger.accept(answered[1])


def test_an_authn_request_from_an_unknown_sp_is_refused_by_keycloak(target: Target, cdap: SamlService) -> None:
    unknown = _sp(target, cdap, entity_id="urn:trustcircle:sp:not-registered")
    page = Browser(str(target.ca_bundle)).get(unknown.login_url())
    assert page.status == 400 and "Invalid Request" in page.text, page.text[:500]
    assert not any("SAMLResponse" in form.fields for form in page.forms)


def _refused_by_keycloak(page: Page) -> None:
    """Keycloak's error page for a request whose signature is missing or does not verify."""
    assert page.status == 400 and "Invalid requester" in page.text, (page.status, page.text[:500])
    assert not any("SAMLResponse" in form.fields for form in page.forms)
    assert "/broker/" not in page.text, "no organisation to pick: the request went no further"


@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_cdaps_request_is_signed_and_an_unsigned_one_is_refused_by_keycloak(
        target: Target, cdap: SamlService, binding: str) -> None:
    """CDAP signs its requests (``signing`` in realms/): with the Redirect binding in the query
    (SigAlg, Signature), with POST in the XML. Keycloak shows the organisations for the signed
    request, and refuses the same service's unsigned one."""
    signed = _sp(target, cdap)
    if binding == "redirect":
        url = signed.login_url()
        assert "SigAlg=" in url and "Signature=" in url
        page = Browser(str(target.ca_bundle)).get(url)
    else:
        action, fields = signed.login_form()
        assert re.search(r"<(\w+:)?Signature\b", _xml(fields["SAMLRequest"]))
        page = Browser(str(target.ca_bundle)).post(action, fields)
    assert page.status == 200 and "/broker/cd33/login" in page.text, (page.status, page.text[:500])

    unsigned = for_service(target, cdap, sign=False)
    if binding == "redirect":
        _refused_by_keycloak(Browser(str(target.ca_bundle)).get(unsigned.login_url()))
    else:
        action, fields = unsigned.login_form()
        _refused_by_keycloak(Browser(str(target.ca_bundle)).post(action, fields))


def test_a_request_signed_with_another_key_is_refused_by_keycloak(
        target: Target, cdap: SamlService, tmp_path: Path) -> None:
    other = ensure_stand_in(tmp_path, "impostor", "signing")
    impostor = ServiceProvider(cdap.entity_id, str(cdap.acs_url), f"{target.url}/realms/cnaf/protocol/saml/descriptor",
                               str(target.ca_bundle), signing=(other.key, other.certificate))
    _refused_by_keycloak(Browser(str(target.ca_bundle)).get(impostor.login_url()))
