"""A partner's application calls the provider's API under its convention (IBR-041: OAuth 2.0 with
PKI): client credentials authenticated by its certificate (mutual TLS, RFC 8705), never a shared
secret; a token bound to that certificate; only the rubriques the convention grants it. Each way
of getting it wrong is refused, and the test says by whom: the TLS layer, the token endpoint, or
the API (``conformance/provider_api.py``, the reference a provider follows)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import ssl
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from conformance.agents import Agent
from conformance.audit import AUDIT, wait_for_records
from conformance.browser import Browser
from conformance.conftest import rubriques_in_force
from conformance.flows import brokered_login
from conformance.journeys import first_application
from conformance.loopback import serving_https
from conformance.provider_api import ProviderApi, serving
from conformance.tls_probe import handshake
from trustcircle import ids
from trustcircle.audit.trace import read, trace
from trustcircle.compiler.services import api_scope_name, application_client_id
from trustcircle.keycloak.admin import Admin, q
from trustcircle.local.ca import ClientCertificate, client_subject, ensure_issuing_ca, issue_client_certificate
from trustcircle.model.schema import Application, Federation, WebServiceApi
from trustcircle.target import Target

TIMEOUT_S = 30
KEY_PROVIDER = "org.keycloak.keys.KeyProvider"
Files = tuple[str, str]


@pytest.fixture(scope="module")
def application(federation: Federation) -> tuple[str, Application]:
    """The reference federation's application: cd33's RSA software calling CDAP's API."""
    return first_application(federation)


@pytest.fixture(scope="module")
def cdap_api(federation: Federation, application: tuple[str, Application]) -> WebServiceApi:
    return next(a for a in federation.provider("cnaf").apis if a.id == application[1].api)


@pytest.fixture(scope="module")
def pki(target: Target) -> Path:
    tls = Path(target.ca_bundle).parent
    if not (tls / "ca-key.pem").exists():
        pytest.skip("issuing client certificates needs the local CA (a deployment's own PKI issues them)")
    return tls


def _issue(pki: Path, tmp: Path, organisation: str, name: str, **kwargs: Any) -> tuple[ClientCertificate, Files]:
    cert = issue_client_certificate(ensure_issuing_ca(pki), client_subject(organisation, name), **kwargs)
    chain, key = cert.write(tmp, name)
    return cert, (str(chain), str(key))


@pytest.fixture
def certificate(pki: Path, tmp_path: Path, application: tuple[str, Application]) -> tuple[ClientCertificate, Files]:
    organisation, app = application
    return _issue(pki, tmp_path, organisation, app.id)


@pytest.fixture(scope="module")
def api(target: Target, federation: Federation, cdap_api: WebServiceApi,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProviderApi]:
    reference = ProviderApi(cdap_api, f"{target.url}/realms/{federation.provider('cnaf').realm}",
                            str(target.ca_bundle), log_file=tmp_path_factory.mktemp("api") / "api.jsonl")
    with serving(reference, Path(target.ca_bundle).parent) as running:
        yield running


def _token(target: Target, client_id: str, scopes: list[str], cert: Files | None) -> requests.Response:
    return requests.post(f"{target.url}/realms/cnaf/protocol/openid-connect/token",
                         data={"grant_type": "client_credentials", "client_id": client_id,
                               **({"scope": " ".join(scopes)} if scopes else {})},
                         cert=cert, verify=str(target.ca_bundle), timeout=TIMEOUT_S)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def _call(api: ProviderApi, target: Target, token: str, cert: Files | None, case: str = "C-1") -> requests.Response:
    return requests.get(f"{api.base}/cases/{case}", headers={"Authorization": f"Bearer {token}"}, cert=cert,
                        verify=str(target.ca_bundle), timeout=TIMEOUT_S)


def test_the_application_gets_a_bound_token_and_only_its_rubriques(
        target: Target, api: ProviderApi, application: tuple[str, Application], cdap_api: WebServiceApi,
        certificate: tuple[ClientCertificate, Files]) -> None:
    organisation, app = application
    cert, files = certificate
    asked = app.scopes[:2]
    answer = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, s) for s in asked],
                    files)
    assert answer.status_code == 200, answer.text
    claims = _claims(answer.json()["access_token"])
    assert claims["cnf"]["x5t#S256"] == base64.urlsafe_b64encode(cert.sha256_thumbprint).rstrip(b"=").decode()
    assert cdap_api.audience in ([claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"])
    data = _call(api, target, answer.json()["access_token"], files)
    assert data.status_code == 200, data.text
    assert sorted(data.json()["rubriques"]) == sorted(asked)  # what it asked, within its convention


def test_a_scope_beyond_the_convention_is_refused_by_the_token_endpoint(
        target: Target, application: tuple[str, Application], cdap_api: WebServiceApi,
        certificate: tuple[ClientCertificate, Files]) -> None:
    organisation, app = application
    beyond = sorted(set(cdap_api.scopes) - set(app.scopes))[0]
    answer = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, beyond)],
                    certificate[1])
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_scope", answer.text


def test_another_applications_certificate_is_refused_by_the_token_endpoint(
        target: Target, pki: Path, tmp_path: Path, application: tuple[str, Application],
        cdap_api: WebServiceApi) -> None:
    organisation, app = application
    _, other = _issue(pki, tmp_path, organisation, "another-software")  # valid, same CA, another subject
    answer = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, app.scopes[0])],
                    other)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client", answer.text
    unauthenticated = _token(target, application_client_id(organisation, app.id),
                             [api_scope_name(cdap_api, app.scopes[0])], None)
    assert unauthenticated.status_code == 401 and unauthenticated.json()["error"] == "invalid_client"


def _refused_by_tls(target: Target, certificate: Files) -> None:
    """Keycloak's TLS layer refuses the certificate in the handshake (TLS 1.2, where its alert comes
    during the handshake; in TLS 1.3 it comes after, as an abrupt end of the connection)."""
    url = urlparse(target.url)
    with pytest.raises(ssl.SSLError, match="CERTIFICATE_UNKNOWN"):
        handshake(str(url.hostname), url.port or 443, target.ca_bundle, ssl.TLSVersion.TLSv1_2,
                  "ECDHE-RSA-AES256-GCM-SHA384", certificate=(Path(certificate[0]), Path(certificate[1])))


def test_a_valid_certificate_passes_tls(target: Target, certificate: tuple[ClientCertificate, Files]) -> None:
    url = urlparse(target.url)  # the control for the two refusals below
    chain, key = certificate[1]
    assert handshake(str(url.hostname), url.port or 443, target.ca_bundle, ssl.TLSVersion.TLSv1_2,
                     "ECDHE-RSA-AES256-GCM-SHA384", certificate=(Path(chain), Path(key)))[0] == "TLSv1.2"


def test_an_expired_certificate_is_refused_by_tls(
        target: Target, pki: Path, tmp_path: Path, application: tuple[str, Application],
        cdap_api: WebServiceApi) -> None:
    organisation, app = application
    _, expired = _issue(pki, tmp_path, organisation, app.id, lifetime=dt.timedelta(days=1),
                        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))
    _refused_by_tls(target, expired)


def test_a_certificate_from_an_unknown_ca_is_refused_by_tls(
        target: Target, tmp_path: Path, application: tuple[str, Application], cdap_api: WebServiceApi) -> None:
    organisation, app = application
    key = ec.generate_private_key(ec.SECP256R1())  # self-issued, with the right subject
    subject = client_subject(organisation, app.id)
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    impostor = ClientCertificate(cert.public_bytes(serialization.Encoding.PEM),
                                 key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()),
                                 subject.rfc4514_string(), hashlib.sha256(b"").digest())
    chain, key_file = impostor.write(tmp_path, "impostor")
    _refused_by_tls(target, (str(chain), str(key_file)))


def test_a_bound_token_without_its_certificate_is_refused_by_the_api(
        target: Target, api: ProviderApi, pki: Path, tmp_path: Path, application: tuple[str, Application],
        cdap_api: WebServiceApi, certificate: tuple[ClientCertificate, Files]) -> None:
    organisation, app = application
    token = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, app.scopes[0])],
                   certificate[1]).json()["access_token"]
    stolen = _call(api, target, token, None)  # a stolen token, without the certificate
    assert stolen.status_code == 401 and "without a client certificate" in stolen.json()["error_description"]
    _, other = _issue(pki, tmp_path, organisation, "another-software")
    replayed = _call(api, target, token, other)  # with another valid certificate
    assert replayed.status_code == 401 and "another certificate" in replayed.json()["error_description"]
    assert 'error="invalid_token"' in replayed.headers["WWW-Authenticate"]


def test_a_token_for_another_audience_is_refused_by_the_api(
        target: Target, api: ProviderApi, application: tuple[str, Application],
        certificate: tuple[ClientCertificate, Files]) -> None:
    organisation, app = application
    token = _token(target, application_client_id(organisation, app.id), [], certificate[1])  # no API scope
    assert token.status_code == 200, token.text
    refused = _call(api, target, token.json()["access_token"], certificate[1])
    assert refused.status_code == 401 and "audience" in refused.json()["error_description"], refused.text


@pytest.fixture
def app_client(admin: Admin, application: tuple[str, Application]) -> Iterator[dict[str, Any]]:
    """The application's client as Keycloak holds it; whatever a test changes is put back."""
    organisation, app = application
    client = admin.get(f"/cnaf/clients?clientId={q(application_client_id(organisation, app.id))}")[0]
    yield client
    # Keycloak keeps an attribute an update leaves out, and an empty one: null removes it
    now = admin.get(f"/cnaf/clients/{client['id']}")["attributes"]
    added = {name: None for name in now if name not in client["attributes"]}
    admin.put(f"/cnaf/clients/{client['id']}", {**client, "attributes": {**client["attributes"], **added}})
    assert admin.get(f"/cnaf/clients/{client['id']}")["attributes"] == client["attributes"]


def test_an_expired_token_is_refused_by_the_api(
        target: Target, admin: Admin, api: ProviderApi, app_client: dict[str, Any],
        application: tuple[str, Application], cdap_api: WebServiceApi,
        certificate: tuple[ClientCertificate, Files]) -> None:
    organisation, app = application
    short = {**app_client, "attributes": {**app_client["attributes"], "access.token.lifespan": "2"}}
    admin.put(f"/cnaf/clients/{app_client['id']}", short)  # a test-only lifetime (the realm's is minutes)
    token = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, app.scopes[0])],
                   certificate[1]).json()["access_token"]
    assert _call(api, target, token, certificate[1]).status_code == 200
    time.sleep(3)
    refused = _call(api, target, token, certificate[1])
    assert refused.status_code == 401 and refused.json()["error_description"] == "expired", refused.text


@pytest.mark.destructive
def test_the_api_follows_a_key_rotation_of_the_provider_realm(
        target: Target, admin: Admin, api: ProviderApi, app_client: dict[str, Any],
        application: tuple[str, Application], cdap_api: WebServiceApi,
        certificate: tuple[ClientCertificate, Files]) -> None:
    """The realm gets a new signing key (ES256, first in priority) and the application's tokens are
    signed with it: the API, which cached the keys before, fetches them again, once."""
    organisation, app = application
    client_id, scopes = application_client_id(organisation, app.id), [api_scope_name(cdap_api, app.scopes[0])]
    assert _call(api, target, _token(target, client_id, scopes, certificate[1]).json()["access_token"],
                 certificate[1]).status_code == 200  # the keys are cached
    realm_id = admin.get("/cnaf")["id"]
    keys_before = {c["id"] for c in admin.get(f"/cnaf/components?type={KEY_PROVIDER}")}
    admin.post("/cnaf/components", {
        "name": f"rotated-{int(time.time())}", "providerId": "ecdsa-generated", "providerType": KEY_PROVIDER,
        "parentId": realm_id, "config": {"priority": ["1000"], "enabled": ["true"], "active": ["true"],
                                         "ecdsaEllipticCurveKey": ["P-256"]}})
    try:
        es256 = {**app_client, "attributes": {**app_client["attributes"], "access.token.signed.response.alg": "ES256"}}
        admin.put(f"/cnaf/clients/{app_client['id']}", es256)
        token = _token(target, client_id, scopes, certificate[1]).json()["access_token"]
        header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
        assert header["alg"] == "ES256"
        fetched = api.jwks_fetches
        assert _call(api, target, token, certificate[1]).status_code == 200
        assert api.jwks_fetches == fetched + 1  # a new key: fetched again, once
    finally:  # the new key, and any Keycloak made meanwhile (a fallback for the algorithm)
        for component in admin.get(f"/cnaf/components?type={KEY_PROVIDER}"):
            if component["id"] not in keys_before:
                admin.delete(f"/cnaf/components/{component['id']}")


@pytest.mark.destructive
def test_an_application_whose_convention_ended_gets_no_token(
        target: Target, admin: Admin, app_client: dict[str, Any], application: tuple[str, Application],
        cdap_api: WebServiceApi, certificate: tuple[ClientCertificate, Files]) -> None:
    """The convention's dates move into the past (what its end compiles to, without any re-apply of
    the application itself): the token endpoint refuses, naming the rule."""
    organisation, app = application
    window = {ids.CONVENTION_VALID_FROM_ATTR: "2024-01-01T00:00:00Z",
              ids.CONVENTION_VALID_UNTIL_ATTR: "2025-01-01T00:00:00Z"}
    ended = {**app_client, "attributes": {**app_client["attributes"], **window}}
    admin.put(f"/cnaf/clients/{app_client['id']}", ended)
    answer = _token(target, application_client_id(organisation, app.id), [api_scope_name(cdap_api, app.scopes[0])],
                    certificate[1])
    assert answer.status_code in (400, 401) and answer.json()["error"] == "unauthorized_client", answer.text
    assert "convention_expired" in answer.json()["error_description"]


class _Callback(BaseHTTPRequestHandler):
    """The application's redirect URI: the agent's browser lands here with the code."""

    def do_GET(self) -> None:
        body = b"<html><body>back in the application</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_on_behalf_of_an_agent_the_api_gets_the_agent_and_only_their_habilitations(
        target: Target, federation: Federation, api: ProviderApi, make_agent: Callable[..., Agent],
        application: tuple[str, Application], cdap_api: WebServiceApi,
        certificate: tuple[ClientCertificate, Files]) -> None:
    """An RSA instructor signs in to the council's software through the provider (their council
    authenticates them, the convention gate applies); the software redeems the code with its
    certificate and calls the API for them: the token names the agent, is bound to the software's
    certificate, and the API answers with the rubriques asked that the convention grants the agent.
    The call is in the API's log, and ``trustcircle audit trace`` follows it from the council's
    login to the data."""
    organisation, app = application
    assert app.on_behalf_of is not None
    agent = make_agent(organisation, "instructeurs-rsa")
    redirect = str(app.on_behalf_of.redirect_uris[0])
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    asked = sorted(app.scopes)
    query = urlencode({"response_type": "code", "client_id": application_client_id(organisation, app.id),
                       "redirect_uri": redirect, "state": state,
                       "scope": " ".join(["openid", *(api_scope_name(cdap_api, s) for s in asked)]),
                       "code_challenge": base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                       .rstrip(b"=").decode(), "code_challenge_method": "S256"})
    with serving_https(redirect, _Callback, Path(target.ca_bundle).parent, "application-callback"):
        page = brokered_login(Browser(str(target.ca_bundle)), f"{api.realm_url}/protocol/openid-connect/auth?{query}",
                              organisation, agent)
    assert page.url.startswith(redirect) and page.status == 200, (page.url, page.status, page.text[:500])
    returned = parse_qs(urlsplit(page.url).query)
    assert returned["state"] == [state]
    tokens = requests.post(f"{api.realm_url}/protocol/openid-connect/token", cert=certificate[1],
                           verify=str(target.ca_bundle), timeout=TIMEOUT_S,
                           data={"grant_type": "authorization_code", "code": returned["code"][0],
                                 "redirect_uri": redirect, "code_verifier": verifier,
                                 "client_id": application_client_id(organisation, app.id)})
    assert tokens.status_code == 200, tokens.text
    access = _claims(tokens.json()["access_token"])
    assert access["cnf"]["x5t#S256"] == base64.urlsafe_b64encode(certificate[0].sha256_thumbprint).rstrip(b"=").decode()
    granted = rubriques_in_force(federation, organisation, "cdap")
    assert sorted(access["habilitation"]) == granted  # the convention's, for this agent, now
    data = _call(api, target, tokens.json()["access_token"], certificate[1], case="C-42")
    assert data.status_code == 200, data.text
    assert data.json()["agent"] == access["sub"]
    assert sorted(data.json()["rubriques"]) == sorted(set(asked) & set(granted))

    transaction = wait_for_records(lambda r: r.get("realm") == agent.realm and r.get("type") == "LOGIN"
                                   and r.get("user") == agent.user_id)[0]["transaction"]
    assert api.log_file is not None
    found = trace(read([AUDIT, api.log_file]), transaction)
    assert {r.get("realm") for r in found} >= {agent.realm, "cnaf"}
    calls = [r for r in found if r.get("kind") == "api"]
    assert calls and calls[-1]["details"]["case"] == "C-42" and calls[-1]["user"] == access["sub"], found
