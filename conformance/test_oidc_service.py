"""An agent reaches an OpenID Connect e-service of the provider through their home organisation:
authorization code with PKCE, the e-service authenticating with a signed JWT; the habilitations of
the convention arrive in the tokens, and only for the groups the convention names."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from jwcrypto import jwk

from conformance.agents import Agent
from conformance.browser import Browser
from conformance.conftest import cdap_of, rubriques_in_force
from conformance.flows import brokered_login
from conformance.oidc_rp import RelyingParty, serving
from conformance.saml_sp import for_service
from trustcircle.model.schema import Federation, OidcService
from trustcircle.target import Target


@pytest.fixture(scope="module")
def aides(federation: Federation) -> OidcService:
    service = next(s for s in federation.provider("cnaf").services if s.id == "aides")
    assert isinstance(service, OidcService)
    return service


@pytest.fixture(scope="module")
def rp(target: Target, federation: Federation, aides: OidcService) -> Iterator[RelyingParty]:
    relying_party = RelyingParty(aides, f"{target.url}/realms/{federation.provider('cnaf').realm}",
                                 str(target.ca_bundle))
    with serving(relying_party, target.ca_bundle.parent) as running:
        yield running


def test_agent_gets_tokens_with_the_conventions_habilitations(
        target: Target, rp: RelyingParty, make_agent: Callable[..., Agent], federation: Federation) -> None:
    agent = make_agent("cd33", "travailleurs-sociaux")
    authorization = rp.authorize()
    page = brokered_login(Browser(str(target.ca_bundle)), authorization.url, "cd33", agent)
    assert page.url.startswith(str(rp.service.redirect_uris[0])), (page.url, page.status, page.text[:1000])

    response = rp.redeem(authorization, page.url)
    assert response.status_code == 200, response.text
    tokens = response.json()
    id_token = rp.verified_claims(tokens["id_token"])
    access = rp.verified_claims(tokens["access_token"])

    assert id_token["aud"] == rp.service.client_id and id_token["nonce"] == authorization.nonce
    assert "@" not in id_token["sub"]
    expected = rubriques_in_force(federation, "cd33", "aides")
    assert sorted(id_token["habilitation"]) == expected
    assert sorted(access["habilitation"]) == expected
    assert access["azp"] == rp.service.client_id


def test_agent_outside_the_groups_of_the_form_is_refused(
        target: Target, rp: RelyingParty, make_agent: Callable[..., Agent]) -> None:
    """cd33's form for this service covers its social workers only, not its RSA instructors."""
    agent = make_agent("cd33", "instructeurs-rsa")
    page = brokered_login(Browser(str(target.ca_bundle)), rp.authorize().url, "cd33", agent)

    assert page.status == 403 and "no_convention" in page.text
    assert not page.url.startswith(str(rp.service.redirect_uris[0]))


def test_code_is_not_redeemed_without_the_services_key_or_the_pkce_verifier(
        target: Target, rp: RelyingParty, make_agent: Callable[..., Agent]) -> None:
    agent = make_agent("cd33", "travailleurs-sociaux")
    browser = Browser(str(target.ca_bundle))
    authorization = rp.authorize()
    page = brokered_login(browser, authorization.url, "cd33", agent)

    impostor = RelyingParty(rp.service, rp.realm_url, rp.ca_bundle,
                            key=jwk.JWK.generate(kty="RSA", size=2048, kid=rp.key.kid, use="sig", alg="RS256"))
    refused = impostor.redeem(authorization, page.url)
    assert refused.status_code in (400, 401) and refused.json()["error"] in ("invalid_client", "unauthorized_client")

    second = rp.authorize()
    page = browser.get(second.url)  # the provider session is there: straight back with a code
    second.verifier = "not-the-verifier-" + second.verifier[:30]
    refused = rp.redeem(second, page.url)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text


def test_a_session_at_the_provider_does_not_open_a_service_without_convention(
        target: Target, rp: RelyingParty, make_agent: Callable[..., Agent], federation: Federation) -> None:
    """An RSA instructor signed in to CDAP (their convention) then goes to the grants service,
    which their convention does not cover: the provider's session (SSO) must not let them in."""
    agent = make_agent("cd33", "instructeurs-rsa")
    browser = Browser(str(target.ca_bundle))
    cdap = cdap_of(federation)
    sp = for_service(target, cdap)
    page = brokered_login(browser, sp.login_url(), "cd33", agent)
    assert "SAMLResponse" in page.forms[0].fields, page.text[:500]  # in CDAP
    page = browser.get(rp.authorize().url)  # the provider's session is there
    assert not page.url.startswith(str(rp.service.redirect_uris[0])), "a provider session opened a service " \
                                                                       "without convention"
    assert page.status == 403 and "no_convention" in page.text, (page.url, page.status, page.text[:500])
