"""An organisation whose identity provider is not Keycloak: the hospital's own SAML IdP (played by
pysaml2) is brokered by the provider realm from its metadata, with the same guarantees as the
Keycloak realms: signatures checked against its published keys, a persistent pseudonymous
identifier that survives a change of e-mail or name, and the convention gate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.agents import Agent
from conformance.audit import wait_for_records
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.flows import brokered_login, brokered_saml_login, saml_response_of
from conformance.home import shown
from conformance.saml_idp import ExternalAgent, ExternalIdP, serving
from conformance.saml_requests import (
    altered,
    assert_clear_assertion_refused,
    repost,
    response_on_the_wire,
    response_to_provider,
    signed_request_to,
)
from conformance.saml_sp import Assertion, ServiceProvider, for_service
from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.group import find_group
from trustcircle.model.schema import Federation, SamlAuthentication, SamlService
from trustcircle.target import Target

ORG = "chu-bordeaux"
TIMEOUT_S = 30


@pytest.fixture(scope="module")
def idp(target: Target, federation: Federation, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExternalIdP]:
    auth = federation.organisation(ORG).authentication
    assert isinstance(auth, SamlAuthentication)
    sp_metadata = requests.get(f"{target.url}/realms/cnaf/broker/{ORG}/endpoint/descriptor",
                               verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    sp_metadata.raise_for_status()
    external = ExternalIdP(auth.entity_id, str(auth.sso_url), str(auth.metadata_url), sp_metadata.text,
                           tmp_path_factory.mktemp("external-idp"))
    with serving(external, Path(target.ca_bundle).parent) as running:
        yield running


@pytest.fixture
def agent(idp: ExternalIdP, admin: Admin) -> Iterator[ExternalAgent]:
    """An agent of the hospital's own directory; the account the provider brokers is removed after."""
    made = idp.add_agent(f"as-{len(idp.agents)}", {
        "email": [f"assistante{len(idp.agents)}@chu-bordeaux.example"], "firstName": ["Dominique"],
        "lastName": ["Martin"]})
    yield made
    for user in admin.get(f"/cnaf/users?search={q(ORG)}.&briefRepresentation=true&max=1000"):
        if user["username"] == f"{ORG}.{idp.pseudonym(made, f'{admin.target.url}/realms/cnaf')}":
            admin.delete(f"/cnaf/users/{user['id']}")


@pytest.fixture
def window_open(admin: Admin) -> Iterator[None]:
    """The hospital's convention ended on 2025-12-31: its group's window is moved to include today
    for the test (what a renewal would compile to), then put back."""
    group = find_group(admin, "cnaf", f"/{ORG}/cdap")
    assert group is not None
    attributes = {**group["attributes"], ids.CONVENTION_VALID_UNTIL_ATTR: ["2099-01-01T00:00:00Z"]}
    admin.put(f"/cnaf/groups/{group['id']}", {"name": group["name"], "attributes": attributes})
    yield
    admin.put(f"/cnaf/groups/{group['id']}", {"name": group["name"], "attributes": group["attributes"]})


def _as_agent(external: ExternalAgent) -> Agent:
    return Agent(realm="(external)", username=external.username, password=external.password,
                 email=external.attributes["email"][0], user_id=external.internal_id)


def _sign_in(target: Target, cdap: SamlService, external: ExternalAgent) -> tuple[ServiceProvider, Any]:
    sp = for_service(target, cdap)
    return sp, brokered_saml_login(Browser(str(target.ca_bundle)), sp, ORG, _as_agent(external))


def _accepted(target: Target, cdap: SamlService, external: ExternalAgent) -> Assertion:
    sp, page = _sign_in(target, cdap, external)
    return sp.accept(saml_response_of(page, str(cdap.acs_url)))


def test_the_expired_convention_of_the_hospital_refuses_its_agents(
        target: Target, cdap: SamlService, agent: ExternalAgent) -> None:
    _, page = _sign_in(target, cdap, agent)
    assert page.status == 403 and "convention_expired" in page.text, page.text[:800]


@pytest.mark.destructive
def test_an_agent_of_the_external_idp_reaches_cdap_with_the_conventions_rubriques(
        target: Target, cdap: SamlService, agent: ExternalAgent, federation: Federation, window_open: None) -> None:
    assertion = _accepted(target, cdap, agent)
    assert sorted(assertion.attributes[ids.HABILITATION_ATTRIBUTE]) == rubriques_in_force(federation, ORG, "cdap")
    assert assertion.name_id_format == ids.SAML_PERSISTENT
    assert agent.username not in assertion.name_id and "@" not in assertion.name_id


@pytest.mark.destructive
def test_a_new_email_and_name_at_the_external_idp_keep_the_same_identifier(
        target: Target, cdap: SamlService, agent: ExternalAgent, window_open: None) -> None:
    first = _accepted(target, cdap, agent)
    agent.attributes.update({"email": ["d.martin-durand@chu-bordeaux.example"], "lastName": ["Martin-Durand"]})
    second = _accepted(target, cdap, agent)
    assert second.name_id == first.name_id
    assert second.attributes.get("email") in (None, ["d.martin-durand@chu-bordeaux.example"])


@pytest.mark.destructive
def test_a_response_signed_with_a_key_absent_from_the_metadata_is_refused_by_keycloak(
        target: Target, cdap: SamlService, idp: ExternalIdP, agent: ExternalAgent, window_open: None) -> None:
    with idp.signing_with_an_unpublished_key():
        _, page = _sign_in(target, cdap, agent)
    assert page.status >= 400 and "signature" in page.text.lower(), (page.status, page.text[-600:])
    assert not any("SAMLResponse" in form.fields and form.action == str(cdap.acs_url) for form in page.forms)


def test_a_level_of_assurance_the_hospital_does_not_assert_is_refused(
        target: Target, cdap: SamlService, agent: ExternalAgent, federation: Federation) -> None:
    """CDAP asks for two factors; the hospital's IdP asserts a password (it ignores the request):
    the provider refuses (before even looking at the conventions), and says why in the audit trail."""
    high = next(loa for loa in federation.settings.levels_of_assurance if loa.factors == 2)
    sp = for_service(target, cdap)
    page = brokered_login(Browser(str(target.ca_bundle)), sp.login_url(high.acr), ORG, _as_agent(agent))
    assert page.status == 403 and "level of authentication" in shown(page), (page.status, page.text[-800:])
    refusals = wait_for_records(lambda r: r.get("realm") == "cnaf" and r.get("error") == "trustcircle_assurance_too_low"
                                and r.get("details", {}).get("identity_provider") == ORG)
    assert refusals and refusals[-1]["details"]["trustcircle_assurance_needed"] == "2", refusals[-1:]


@pytest.mark.parametrize("alteration", ["unsigned", "changed after signing"])
def test_the_hospitals_idp_checks_the_providers_signature_on_its_requests(
        target: Target, cdap: SamlService, idp: ExternalIdP, alteration: str) -> None:
    """Another SAML implementation (pysaml2, requiring signed requests) verifies the provider's
    AuthnRequest with the key in the provider's SP metadata: a forged one gets no sign-in page."""
    browser, page, request = signed_request_to(target, cdap, ORG)
    refused = repost(browser, page, altered(request)[alteration])
    assert refused.status == 400 and not refused.forms, (refused.status, refused.text[:400])
    browser, page, request = signed_request_to(target, cdap, ORG)
    assert repost(browser, page, request).form(id="kc-form-login")


@pytest.mark.destructive
def test_the_hospitals_assertion_travels_encrypted_to_the_provider(
        target: Target, cdap: SamlService, agent: ExternalAgent, window_open: None) -> None:
    """The hospital's IdP encrypts to the key of the provider's SP metadata (AES-256-GCM, RSA-OAEP):
    nothing about the agent is readable on the way, and the provider decrypts it."""
    browser, answered = response_to_provider(target, cdap, ORG, agent.username, agent.password)
    response = response_on_the_wire(answered)
    assert re.search(r"<(\w+:)?EncryptedAssertion\b", response) and not re.search(r"<(\w+:)?Assertion\b", response)
    assert agent.attributes["email"][0] not in response
    done = browser.submit(answered, answered.forms[0])
    assert any(f.action == str(cdap.acs_url) and "SAMLResponse" in f.fields for f in done.forms), done.text[-800:]


@pytest.fixture
def hospital_in_clear(idp: ExternalIdP) -> Iterator[None]:
    idp.in_clear = True
    try:
        yield
    finally:
        idp.in_clear = False


@pytest.mark.destructive
def test_an_assertion_in_clear_from_the_hospital_is_refused(
        target: Target, cdap: SamlService, agent: ExternalAgent, window_open: None, hospital_in_clear: None) -> None:
    browser, answered = response_to_provider(target, cdap, ORG, agent.username, agent.password)
    assert_clear_assertion_refused(browser, answered, str(cdap.acs_url))
