"""Administrators of an organisation (and its habilitation managers) need a second factor: without
their one-time code they get no token for the admin API; with it they administer their own realm
only. Agents sign in with their password alone."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import requests

from conformance.administrators import REALM, Person, make_person, totp
from conformance.audit import wait_for_records
from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.schema import Federation
from trustcircle.target import Target

TIMEOUT_S = 30


@pytest.fixture
def people(admin: Admin) -> Iterator[dict[str, Person]]:
    made = {"administrator without a second factor": make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=False),
            "administrator": make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True),
            "habilitation manager without a second factor": make_person(admin, ids.HABILITATION_MANAGERS_GROUP,
                                                                  with_otp=False),
            "habilitation manager": make_person(admin, ids.HABILITATION_MANAGERS_GROUP, with_otp=True),
            "agent": make_person(admin, None, with_otp=False)}
    yield made
    for person in made.values():
        admin.delete(f"/{REALM}/users/{person.user_id}")


def _token(target: Target, person: Person, code: str | None = None) -> requests.Response:
    data = {"grant_type": "password", "client_id": "admin-cli", "username": person.username,
            "password": person.password, **({"totp": code} if code else {})}
    return requests.post(f"{target.url}/realms/{REALM}/protocol/openid-connect/token", data=data,
                         verify=str(target.ca_bundle), timeout=TIMEOUT_S)


def test_administrative_roles_get_no_token_on_a_password_alone(target: Target, people: dict[str, Person]) -> None:
    refused = _token(target, people["administrator"])  # enrolled, but no code given
    # (Keycloak 26.6 answers a failed direct grant 400 invalid_grant, as RFC 6749 says; before, 401)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant", refused.text
    for who in ("administrator without a second factor", "habilitation manager without a second factor"):
        # never enrolled: the direct grant cannot make them enrol, and Keycloak answers with an
        # error (500 unknown_error; the browser flow asks them to set up their authenticator app)
        refused = _token(target, people[who])
        assert refused.status_code in (400, 401, 500) and "access_token" not in refused.text, (who, refused.text)


def test_agents_sign_in_with_their_password(target: Target, people: dict[str, Person]) -> None:
    assert _token(target, people["agent"]).status_code == 200


def test_with_the_code_an_administrator_administers_their_own_realm_only(
        target: Target, people: dict[str, Person]) -> None:
    administrator = people["administrator"]
    assert administrator.otp_key is not None
    granted = _token(target, administrator, totp(administrator.otp_key))
    assert granted.status_code == 200, granted.text
    headers = {"Authorization": f"Bearer {granted.json()['access_token']}"}
    own = requests.get(f"{target.url}/admin/realms/{REALM}/users?max=5", headers=headers,
                       verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    assert own.status_code == 200
    other = requests.get(f"{target.url}/admin/realms/cpam69/users?max=5", headers=headers,
                         verify=str(target.ca_bundle), timeout=TIMEOUT_S)
    assert other.status_code in (401, 403), other.status_code
    wrong = _token(target, administrator, "000000" if totp(administrator.otp_key) != "000000" else "111111")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", wrong.text


def test_an_administrator_cannot_give_itself_more_rights_or_grant_at_the_provider(
        target: Target, admin: Admin, people: dict[str, Person]) -> None:
    """Configuration is code: an organisation's administrator changes no client, policy or role
    of its realm, cannot raise its own rights, and has no say in the provider's realm where the
    conventions' rubriques live."""
    administrator = people["administrator"]
    assert administrator.otp_key is not None
    granted = _token(target, administrator, totp(administrator.otp_key))
    assert granted.status_code == 200, granted.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {granted.json()['access_token']}"

    def call(method: str, path: str, body: object) -> int:
        response = session.request(method, f"{target.url}/admin/realms{path}", json=body,
                                   verify=str(target.ca_bundle), timeout=TIMEOUT_S)
        return response.status_code

    management = admin.get(f"/{REALM}/clients?clientId=realm-management")[0]
    realm_admin = admin.get(f"/{REALM}/clients/{management['id']}/roles/realm-admin")
    attempts = {
        "give itself realm-admin": ("POST", f"/{REALM}/users/{administrator.user_id}/role-mappings/clients/"
                                            f"{management['id']}", [realm_admin]),
        "loosen its realm's password policy": ("PUT", f"/{REALM}", {"passwordPolicy": "length(1)"}),
        "create a client in its realm": ("POST", f"/{REALM}/clients", {"clientId": "rogue-client"}),
        "join an agent to a convention group at the provider": (
            "PUT", f"/cnaf/users/{administrator.user_id}/groups/"
                   f"{admin.get('/cnaf/group-by-path/cd33/cdap')['id']}", {}),
    }
    for what, (method, path, body) in attempts.items():
        assert call(method, path, body) in (401, 403), what
    assert "realm-admin" not in {r["name"] for r in admin.get(
        f"/{REALM}/users/{administrator.user_id}/role-mappings/clients/{management['id']}/composite")}
    assert admin.get(f"/{REALM}")["passwordPolicy"] != "length(1)"


def _session(target: Target, person: Person) -> requests.Session:
    assert person.otp_key is not None
    granted = _token(target, person, totp(person.otp_key))
    assert granted.status_code == 200, granted.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {granted.json()['access_token']}"
    return session


def _status(session: requests.Session, target: Target, method: str, path: str, body: object = None) -> int:
    return session.request(method, f"{target.url}/admin/realms/{REALM}{path}", json=body, timeout=TIMEOUT_S,
                           verify=str(target.ca_bundle)).status_code


def test_delegates_grant_only_the_groups_conventions_name(target: Target, admin: Admin, people: dict[str, Person],
                                                          federation: Federation) -> None:
    """Fine-grained admin permissions: administrators and habilitation managers put agents in the
    groups that the organisation's conventions in force name, and in no other group."""
    agent = people["agent"]
    granted = sorted({g for c in federation.conventions if c.organisation == REALM
                      for a in [c.effective()] if a is not None for f in a.forms for g in f.groups})
    assert granted, "cd33's conventions name groups"
    for who in ("administrator", "habilitation manager"):
        session = _session(target, people[who])
        for group in granted:
            group_id = admin.get(f"/{REALM}/group-by-path/{q(group)}")["id"]
            assert _status(session, target, "PUT", f"/users/{agent.user_id}/groups/{group_id}", {}) == 204, (who, group)
            assert _status(session, target, "DELETE", f"/users/{agent.user_id}/groups/{group_id}") == 204, (who, group)
        for group in (ids.ADMINISTRATORS_GROUP, ids.HABILITATION_MANAGERS_GROUP):  # raising anyone's rights
            group_id = admin.get(f"/{REALM}/group-by-path/{q(group)}")["id"]
            assert _status(session, target, "PUT", f"/users/{agent.user_id}/groups/{group_id}", {}) == 403, (who, group)
            assert _status(session, target, "PUT", f"/users/{people[who].user_id}/groups/{group_id}", {}) == 403
    assert {g["path"] for g in admin.get(f"/{REALM}/users/{agent.user_id}/groups")} == set()
    # every refusal is in the audit trail, with who tried and what
    attempts = {f"users/{agent.user_id}/groups/" + admin.get(f"/{REALM}/group-by-path/{q(g)}")["id"]
                for g in (ids.ADMINISTRATORS_GROUP, ids.HABILITATION_MANAGERS_GROUP)}
    refused = _forbidden_records(people["habilitation manager"].user_id, attempts)
    assert attempts <= {r["resource_path"] for r in refused}
    assert all(r["realm"] == REALM and r["auth_realm"] == REALM and r["operation"] == "UPDATE" for r in refused)


def _forbidden_records(user_id: str, paths: set[str]) -> list[dict[str, str]]:
    """The audit trail's records of admin requests refused to ``user_id``, once ``paths`` are among them."""
    return wait_for_records(lambda r: r.get("error") == "forbidden" and r.get("auth_user") == user_id,
                            lambda found: paths <= {r["resource_path"] for r in found})


def test_administrators_manage_accounts_habilitation_managers_only_memberships(
        target: Target, admin: Admin, people: dict[str, Person]) -> None:
    permissions = admin.get(f"/{REALM}/clients?clientId=admin-permissions")[0]["id"]
    agent = people["agent"].user_id
    for who in ("administrator", "habilitation manager"):
        session = _session(target, people[who])
        expected = 204 if who == "administrator" else 403  # account writes: administrators only
        reset = {"type": "password", "value": secrets.token_urlsafe(10) + "aA1!", "temporary": True}
        assert _status(session, target, "PUT", f"/users/{agent}/reset-password", reset) == expected, who
        assert _status(session, target, "PUT", f"/users/{agent}", {"firstName": "Changed"}) == expected, who
        account = {"username": f"made-{secrets.token_hex(3)}", "enabled": True}
        created = session.post(f"{target.url}/admin/realms/{REALM}/users", json=account, timeout=TIMEOUT_S,
                               verify=str(target.ca_bundle))
        assert created.status_code == (201 if who == "administrator" else 403), (who, created.text)
        if created.status_code == 201:
            session.delete(created.headers["Location"], timeout=TIMEOUT_S, verify=str(target.ca_bundle))
        assert _status(session, target, "GET", f"/users/{agent}") == 200, who  # both see the agents
        # nobody delegated changes who holds which permission
        policy = {"name": f"rogue-{secrets.token_hex(3)}", "users": [people[who].user_id], "logic": "POSITIVE"}
        assert _status(session, target, "POST", f"/clients/{permissions}/authz/resource-server/policy/user",
                       policy) == 403, who
        expected_events = 200 if who == "administrator" else 403
        assert _status(session, target, "GET", "/events?max=1") == expected_events, who
    # the delegation guard's refusals are in the audit trail like Keycloak's, with the caller
    refused = _forbidden_records(people["habilitation manager"].user_id,
                                 {"users", f"users/{agent}", f"users/{agent}/reset-password"})
    assert {("CREATE", "users"), ("UPDATE", f"users/{agent}"), ("UPDATE", f"users/{agent}/reset-password")} <= {
        (r["operation"], r["resource_path"]) for r in refused}
