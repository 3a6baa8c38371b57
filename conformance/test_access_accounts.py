"""One identity per organisation at the providers: an access account of its own for each
organisation's agent, keyed by the organisation and its stable identifier, never matched, merged or
linked by e-mail, by the agent or by a provider's administrator."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests

from conformance.administrators import Person, make_person, totp
from conformance.agents import Agent, access_accounts, accounts_named
from conformance.browser import Browser, Page
from conformance.conftest import rubriques_in_force
from conformance.flows import authn_request_to_home, brokered_login, brokered_saml_login, saml_response_of
from conformance.saml_sp import Assertion, for_service
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target

PROVIDER = "cnaf"
TIMEOUT_S = 30
LINKING_WORDS = ("already exists", "link your account", "Link account", "link-idp")


def sign_in_to_cdap(target: Target, cdap: SamlService, organisation: str, agent: Agent) -> tuple[Assertion, Page]:
    sp = for_service(target, cdap)
    page = brokered_saml_login(Browser(str(target.ca_bundle)), sp, organisation, agent)
    assert not any(word.lower() in page.text.lower() for word in LINKING_WORDS), page.text[:1500]
    return sp.accept(saml_response_of(page, str(cdap.acs_url))), page


def test_two_organisations_agents_with_one_email_each_get_their_own_access_account(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation,
        cdap: SamlService) -> None:
    """One person working for two organisations, or an address an administrator typed twice: the
    provider never takes the e-mail for a key (Keycloak's default would offer to link the two)."""
    instructor = make_agent("cd33", "instructeurs-rsa")
    social_worker = make_agent("cpam69", "service-social")
    admin.put(f"/cpam69/users/{social_worker.user_id}",
              {"email": instructor.email, "firstName": "Camille", "lastName": "Agent"})

    first, _ = sign_in_to_cdap(target, cdap, "cd33", instructor)
    second, _ = sign_in_to_cdap(target, cdap, "cpam69", social_worker)

    assert first.name_id != second.name_id
    assert sorted(first.attributes[ids.HABILITATION_ATTRIBUTE]) == rubriques_in_force(federation, "cd33", "cdap")
    assert sorted(second.attributes[ids.HABILITATION_ATTRIBUTE]) == rubriques_in_force(federation, "cpam69", "cdap")
    mine = access_accounts(admin, instructor, PROVIDER, "cd33")
    theirs = access_accounts(admin, social_worker, PROVIDER, "cpam69")
    assert len(mine) == len(theirs) == 1 and mine[0]["id"] != theirs[0]["id"]
    assert mine[0]["email"] == theirs[0]["email"] == instructor.email
    for account, organisation in ((mine[0], "cd33"), (theirs[0], "cpam69")):
        links = admin.get(f"/{PROVIDER}/users/{account['id']}/federated-identity")
        assert [link["identityProvider"] for link in links] == [organisation]


def account_console_login(target: Target, agent: Agent, kc_action: str) -> tuple[Page, str]:
    """The agent signs in to the provider's account console (its own public client, with PKCE)
    asking for ``kc_action``; the last page and the PKCE verifier."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": "account-console", "redirect_uri": f"{target.url}/realms/{PROVIDER}/account/",
                       "response_type": "code", "scope": "openid", "code_challenge": challenge,
                       "code_challenge_method": "S256", "state": secrets.token_urlsafe(8), "kc_action": kc_action})
    url = f"{target.url}/realms/{PROVIDER}/protocol/openid-connect/auth?{query}"
    return brokered_login(Browser(str(target.ca_bundle)), url, "cd33", agent), verifier


def test_an_agent_cannot_link_another_organisations_identity_to_their_access_account(
        target: Target, admin: Admin, make_agent: Callable[..., Agent]) -> None:
    """Keycloak's account linking (the ``idp_link`` action, the account console's linked accounts,
    ``/broker/<alias>/link``) needs an account role brokered agents do not hold at a provider: the
    agent signed in to the provider's own account console is offered no link, and nothing is linked."""
    agent = make_agent("cd33", "travailleurs-sociaux")
    page, verifier = account_console_login(target, agent, "idp_link:cpam69")
    assert "code=" in page.url and "link-idp" not in page.text, (page.url, page.status, page.text[:1500])
    code = parse_qs(urlparse(page.url).query)["code"][0]
    token = requests.post(f"{target.url}/realms/{PROVIDER}/protocol/openid-connect/token", timeout=TIMEOUT_S,
                          verify=str(target.ca_bundle),
                          data={"grant_type": "authorization_code", "client_id": "account-console", "code": code,
                                "code_verifier": verifier,
                                "redirect_uri": f"{target.url}/realms/{PROVIDER}/account/"})
    assert token.status_code == 200, token.text
    link = requests.get(f"{target.url}/realms/{PROVIDER}/account/linked-accounts/cpam69",
                        params={"providerId": "cpam69", "redirectUri": f"{target.url}/realms/{PROVIDER}/account/"},
                        headers={"Authorization": f"Bearer {token.json()['access_token']}",
                                 "Accept": "application/json"},
                        verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    # refused either way: the console's token carries no account audience for a brokered agent
    assert link.status_code in (401, 403) and "accountLinkUri" not in link.text, (link.status_code, link.text[:500])
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    links = admin.get(f"/{PROVIDER}/users/{account['id']}/federated-identity")
    assert [link["identityProvider"] for link in links] == ["cd33"]


@pytest.fixture
def provider_administrator(admin: Admin) -> Iterator[Person]:
    person = make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True, realm=PROVIDER)
    yield person
    admin.delete(f"/{PROVIDER}/users/{person.user_id}")


def provider_admin_session(target: Target, person: Person) -> AdminSession:
    assert person.otp_key is not None
    token = requests.post(f"{target.url}/realms/{PROVIDER}/protocol/openid-connect/token", timeout=TIMEOUT_S,
                          verify=str(target.ca_bundle),
                          data={"grant_type": "password", "client_id": "admin-cli", "username": person.username,
                                "password": person.password, "totp": totp(person.otp_key)})
    assert token.status_code == 200, token.text
    return AdminSession(token.json()["access_token"], str(target.ca_bundle))


class AdminSession:
    """Calls as the provider's administrator (their token, TLS checked against the local CA)."""

    def __init__(self, token: str, ca_bundle: str) -> None:
        self.headers = {"Authorization": f"Bearer {token}"}
        self.ca_bundle = ca_bundle

    def request(self, method: str, url: str, body: object = None) -> requests.Response:
        return requests.request(method, url, json=body, headers=self.headers, verify=self.ca_bundle,
                                timeout=TIMEOUT_S)


def test_a_provider_administrator_edits_only_what_does_not_come_from_home_and_links_nothing(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService,
        provider_administrator: Person) -> None:
    """cd33's identities are verified (quality 60): their access accounts carry what cd33 says, and
    nobody at the provider edits it; ccas-bordeaux's are not (quality 40, checker off): the
    provider's administrators may correct them."""
    verified, unverified = make_agent("cd33", "instructeurs-rsa"), make_agent("ccas-bordeaux")
    sign_in_to_cdap(target, cdap, "cd33", verified)
    brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), "ccas-bordeaux", unverified)
    [account] = access_accounts(admin, verified, PROVIDER, "cd33")
    [other] = access_accounts(admin, unverified, PROVIDER, "ccas-bordeaux")
    session = provider_admin_session(target, provider_administrator)
    users = f"{target.url}/admin/realms/{PROVIDER}/users"

    renamed = session.request("PUT", f"{users}/{account['id']}", {"firstName": "Dominique"})
    assert renamed.status_code == 403 and "firstName" in renamed.text, renamed.text
    linked = session.request("POST", f"{users}/{account['id']}/federated-identity/cpam69",
                             {"identityProvider": "cpam69", "userId": "someone-else", "userName": "someone-else"})
    assert linked.status_code == 403, linked.text
    unlinked = session.request("DELETE", f"{users}/{account['id']}/federated-identity/cd33")
    assert unlinked.status_code == 403, unlinked.text
    corrected = session.request("PUT", f"{users}/{other['id']}", {"firstName": "Dominique"})
    assert corrected.status_code == 204, corrected.text

    assert admin.get(f"/{PROVIDER}/users/{account['id']}")["firstName"] == "Camille"
    assert [link["identityProvider"] for link in admin.get(f"/{PROVIDER}/users/{account['id']}/federated-identity")
            ] == ["cd33"]
    assert admin.get(f"/{PROVIDER}/users/{other['id']}")["firstName"] == "Dominique"


def cut_first_sign_in(target: Target, admin: Admin, cdap: SamlService, organisation: str,
                      agent: Agent) -> dict[str, object]:
    """The agent's first sign-in, cut as a node going down or a lost connection cuts it: the
    browser receives the provider's answer to the first-broker-login step (which opens the access
    account) and never sends the next request (which links it); the account left behind."""
    browser = Browser(str(target.ca_bundle))
    to_home = authn_request_to_home(browser, for_service(target, cdap).login_url(), organisation)
    home_login = browser.submit(to_home, to_home.forms[0])
    back = browser.submit(home_login, home_login.form(id="kc-form-login"),
                          username=agent.username, password=agent.password)
    form = back.forms[0]
    response = browser.session.post(urljoin(back.url, form.action), data=form.fields, allow_redirects=False,
                                    verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    for _ in range(5):
        location = urljoin(response.url, response.headers.get("Location", ""))
        assert response.status_code in (302, 303), (response.status_code, response.text[:1500])
        if "/after-first-broker-login" in location:
            break  # the request that links the account: never sent
        response = browser.session.get(location, allow_redirects=False, verify=str(target.ca_bundle),
                                       timeout=TIMEOUT_S)
    else:
        raise AssertionError(f"the first-broker-login step never redirected to its link: {response.url}")
    [account] = accounts_named(admin, agent, PROVIDER, organisation)
    return account


def test_a_first_sign_in_cut_before_its_link_resumes_on_the_account_it_left(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation,
        cdap: SamlService) -> None:
    """Keycloak opens the access account in one request and links it in the next: an agent whose
    connection is cut in between (seen in a cluster's rolling restart) signs in again and reaches
    the e-service with their rubriques, on that same account, now theirs and linked; without the
    resumption every later sign-in of theirs stopped on "already exists"."""
    agent = make_agent("cd33", "instructeurs-rsa")
    left = cut_first_sign_in(target, admin, cdap, "cd33", agent)
    assert admin.get(f"/{PROVIDER}/users/{left['id']}/federated-identity") == []
    assert access_accounts(admin, agent, PROVIDER, "cd33") == []

    assertion, _ = sign_in_to_cdap(target, cdap, "cd33", agent)

    assert sorted(assertion.attributes[ids.HABILITATION_ATTRIBUTE]) == rubriques_in_force(federation, "cd33", "cdap")
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    assert account["id"] == left["id"]
    links = admin.get(f"/{PROVIDER}/users/{account['id']}/federated-identity")
    assert [link["identityProvider"] for link in links] == ["cd33"]
    groups = [g["path"] for g in admin.get(f"/{PROVIDER}/users/{account['id']}/groups")]
    assert "/cd33" in groups, groups


def _set_password(admin: Admin, account: dict[str, object]) -> None:
    admin.put(f"/{PROVIDER}/users/{account['id']}/reset-password",
              {"type": "password", "value": secrets.token_urlsafe(12) + "aA1!", "temporary": False})


def _link_to_another_organisation(admin: Admin, account: dict[str, object]) -> None:
    admin.post(f"/{PROVIDER}/users/{account['id']}/federated-identity/cpam69",
               {"identityProvider": "cpam69", "userId": f"someone-{secrets.token_hex(4)}", "userName": "someone"})


def _add_to_a_group(admin: Admin, account: dict[str, object]) -> None:
    group = admin.get(f"/{PROVIDER}/group-by-path/cd33")
    admin.put(f"/{PROVIDER}/users/{account['id']}/groups/{group['id']}", {})


@pytest.mark.parametrize("held", [_set_password, _link_to_another_organisation, _add_to_a_group],
                         ids=["with-a-password", "linked-to-another-organisation", "in-a-group"])
def test_an_account_of_that_name_that_is_not_an_unfinished_sign_in_is_never_taken_over(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService,
        held: Callable[[Admin, dict[str, object]], None]) -> None:
    """An account of the agent's name that somebody holds (a password, another organisation's
    identity, a group) is not an unfinished first sign-in: the agent's sign-in is refused, as
    Keycloak refuses a taken name, and the account stays as it was."""
    agent = make_agent("cd33", "instructeurs-rsa")
    left = cut_first_sign_in(target, admin, cdap, "cd33", agent)
    held(admin, left)
    before = admin.get(f"/{PROVIDER}/users/{left['id']}/federated-identity")

    page = brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), "cd33", agent)

    assert page.status == 409 and "already exists" in page.text, (page.status, page.text[:1500])
    assert "SAMLResponse" not in page.text
    assert admin.get(f"/{PROVIDER}/users/{left['id']}/federated-identity") == before
    assert access_accounts(admin, agent, PROVIDER, "cd33") == []
