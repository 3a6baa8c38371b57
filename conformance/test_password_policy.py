"""The password policy, proven by real attempts on Keycloak's own pages: each rule refuses a
password with the message the person sees, the history refuses the last passwords, and an expired
password must be changed before anything else.

The rules are read from realms/ (the organisation's effective policy), never repeated here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import requests

from conformance.audit import wait_for_records
from conformance.browser import Browser
from conformance.home import UPDATE_PASSWORD_FORM, choose_password, is_signed_in, shown, sign_in
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.model.policies import PasswordPolicy, effective
from trustcircle.model.schema import Federation
from trustcircle.target import Target

ORGANISATION = "cd33"
DAY_MS = 86_400_000


@dataclass
class Account:
    user_id: str
    username: str
    password: str


MakeAccount = Callable[..., Account]


@pytest.fixture
def policy(federation: Federation) -> PasswordPolicy:
    return effective(federation.settings.policies_in_force(), federation.organisation(ORGANISATION).policies).password


@pytest.fixture
def realm(federation: Federation) -> str:
    org = federation.organisation(ORGANISATION)
    assert org.realm is not None
    return org.realm


def good_password(policy: PasswordPolicy) -> str:
    """A password every rule accepts: within the lengths, all four classes, random."""
    return (secrets.token_hex(policy.min_length) + "Aa1!")[-(policy.min_length + 4):]


def _pbkdf2(password: str, created_ms: int) -> dict[str, object]:
    """A password credential as Keycloak stores it (pbkdf2-sha256), created at ``created_ms``."""
    salt, iterations = secrets.token_bytes(16), 27_500
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, dklen=32)
    return {"type": "password", "createdDate": created_ms,
            "secretData": json.dumps({"value": base64.b64encode(digest).decode(),
                                      "salt": base64.b64encode(salt).decode(), "additionalParameters": {}}),
            "credentialData": json.dumps({"hashIterations": iterations, "algorithm": "pbkdf2-sha256",
                                          "additionalParameters": {}})}


@pytest.fixture
def make_account(admin: Admin, realm: str) -> Iterator[MakeAccount]:
    made: list[str] = []

    def make(credentials: list[dict[str, object]], password: str, required_actions: tuple[str, ...] = ()) -> Account:
        username = f"pw-{secrets.token_hex(4)}"
        user_id = admin.post(f"/{realm}/users", {
            "username": username, "enabled": True, "emailVerified": True, "email": f"{username}@cd33.example",
            "firstName": "Dominique", "lastName": "Agent", "credentials": credentials,
            "requiredActions": list(required_actions)})
        assert user_id is not None
        made.append(user_id)
        return Account(user_id, username, password)

    yield make
    for user_id in made:
        admin.delete(f"/{realm}/users/{user_id}")


def _violations(policy: PasswordPolicy) -> dict[str, tuple[str, str]]:
    """One password per rule, breaking that rule only, with the message Keycloak must show."""
    n = policy.min_length
    cases = {"too short": ("Aa1!" + "x" * (n - 5), f"Invalid password: minimum length {n}.")}
    if policy.max_length is not None:
        m = policy.max_length
        cases["too long"] = ("Aa1!" + "y" * (m - 3), f"Invalid password: maximum length {m}.")
    if policy.character_classes == 4:
        cases |= {"no upper case": ("aa1!" + "z" * n, "must contain at least 1 upper case characters."),
                  "no lower case": ("AA1!" + "Z" * n, "must contain at least 1 lower case characters."),
                  "no digit": ("Aa!!" + "w" * n, "must contain at least 1 numerical digits."),
                  "no special character": ("Aa11" + "v" * n, "must contain at least 1 special characters.")}
    if policy.breached_deny_list:  # well-formed, and among the most common breached passwords
        cases["breached"] = ("P@ssw0rd", "Invalid password: password is not allowed.")  # 26.7's wording
    # notUsername is applied too, but cannot be shown alone: usernames are lower case, so a password
    # equal to one is refused by the upper-case rule first
    return cases


def test_each_password_rule_is_refused_with_its_message(target: Target, policy: PasswordPolicy,
                                                        make_account: MakeAccount) -> None:
    temporary = good_password(policy)
    account = make_account([{"type": "password", "value": temporary, "temporary": True}], temporary)
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, ORGANISATION, account.username, account.password)
    assert page.forms and page.forms[0].attrs.get("id") == UPDATE_PASSWORD_FORM, "a temporary password must be changed"
    for case, (password, message) in _violations(policy).items():
        page = choose_password(browser, page, password)
        assert message in shown(page), f"{case}: expected {message!r} on {page.url}"
        assert not is_signed_in(page, target, ORGANISATION), case
    page = choose_password(browser, page, good_password(policy))
    assert is_signed_in(page, target, ORGANISATION), shown(page)[:1500]


def test_the_last_passwords_cannot_be_reused(target: Target, admin: Admin, realm: str, policy: PasswordPolicy,
                                             make_account: MakeAccount) -> None:
    assert policy.history >= 2, "the probe needs a history of at least two passwords"
    older = [good_password(policy) for _ in range(policy.history + 1)]
    account = make_account([{"type": "password", "value": older[0], "temporary": False}], older[0])
    for password in older[1:]:  # each change by the administrator goes into the history
        admin.put(f"/{realm}/users/{account.user_id}/reset-password",
                  {"type": "password", "value": password, "temporary": password == older[-1]})
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, ORGANISATION, account.username, older[-1])
    message = f"Invalid password: must not be equal to any of last {policy.history} passwords."
    for recent in older[-policy.history:]:  # the current one and those before it, within the history
        page = choose_password(browser, page, recent)
        assert message in shown(page), f"a password among the last {policy.history} was accepted"
    page = choose_password(browser, page, older[-policy.history - 1])  # one further back: allowed again
    assert is_signed_in(page, target, ORGANISATION), shown(page)[:1500]


def test_an_expired_password_must_be_changed_first(target: Target, policy: PasswordPolicy,
                                                   make_account: MakeAccount) -> None:
    assert policy.max_age_days is not None, "this federation's passwords do not expire"
    now_ms = int(time.time() * 1000)
    password = good_password(policy)
    expired = make_account([_pbkdf2(password, now_ms - (policy.max_age_days + 1) * DAY_MS)], password)
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, expired.username, password)
    assert page.forms and page.forms[0].attrs.get("id") == UPDATE_PASSWORD_FORM, shown(page)[:1500]

    fresh_password = good_password(policy)
    fresh = make_account([_pbkdf2(fresh_password, now_ms - (policy.max_age_days - 1) * DAY_MS)], fresh_password)
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, fresh.username, fresh_password)
    assert is_signed_in(page, target, ORGANISATION), "a password younger than the maximum age was sent to change"


EXPIRED_MESSAGE = "Your temporary password has expired."  # the extension's (temporary-password)


def _direct_grant(target: Target, account: Account) -> requests.Response:
    return requests.post(f"{target.url}/realms/{ORGANISATION}/protocol/openid-connect/token",
                         data={"grant_type": "password", "client_id": "admin-cli", "username": account.username,
                               "password": account.password}, verify=str(target.ca_bundle), timeout=30)


def test_a_temporary_password_expires_after_its_validity(target: Target, policy: PasswordPolicy,
                                                         make_account: MakeAccount) -> None:
    """Accounts created with a temporary password (the administrator's, as Keycloak stores it) some
    hours ago: past the validity the login is refused, in the browser and by direct grant, and the
    refusal is in the audit trail; within it the person is asked to choose their own."""
    now_ms, hour_ms = int(time.time() * 1000), 3_600_000
    validity = policy.temporary_validity_hours
    password = good_password(policy)
    expired = make_account([_pbkdf2(password, now_ms - (validity + 1) * hour_ms)], password, ("UPDATE_PASSWORD",))
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, expired.username, password)
    assert EXPIRED_MESSAGE in shown(page) and not is_signed_in(page, target, ORGANISATION), shown(page)[:1500]
    assert all(f.attrs.get("id") != UPDATE_PASSWORD_FORM for f in page.forms)
    answer = _direct_grant(target, expired)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant", answer.text
    assert answer.json()["error_description"].startswith(EXPIRED_MESSAGE)
    refusals = wait_for_records(lambda r: r.get("user") == expired.user_id
                                and r.get("error") == "trustcircle_temporary_password_expired",
                                lambda found: len(found) >= 2)
    assert [r["type"] for r in refusals] == ["LOGIN_ERROR", "LOGIN_ERROR"], refusals

    young = make_account([_pbkdf2(password, now_ms - (validity - 1) * hour_ms)], password, ("UPDATE_PASSWORD",))
    page = sign_in(Browser(str(target.ca_bundle)), target, ORGANISATION, young.username, password)
    assert page.forms and page.forms[0].attrs.get("id") == UPDATE_PASSWORD_FORM, shown(page)[:1500]


def test_only_a_password_set_as_temporary_expires(target: Target, admin: Admin, realm: str, policy: PasswordPolicy,
                                                  make_account: MakeAccount) -> None:
    """A change forced on an old password that was never temporary is not refused; a temporary
    password the administrator sets is marked (its credential), and the person's own is not."""
    now_ms, hour_ms = int(time.time() * 1000), 3_600_000
    password = good_password(policy)
    old = make_account([_pbkdf2(password, now_ms - (policy.temporary_validity_hours + 1) * hour_ms)], password)
    admin.put(f"/{realm}/users/{old.user_id}", {"requiredActions": ["UPDATE_PASSWORD"]})
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, ORGANISATION, old.username, password)
    assert page.forms and page.forms[0].attrs.get("id") == UPDATE_PASSWORD_FORM, shown(page)[:1500]

    temporary = good_password(policy)
    admin.put(f"/{realm}/users/{old.user_id}/reset-password", {"type": "password", "value": temporary,
                                                              "temporary": True})
    current = [f"{c['id']}@{c['createdDate']}" for c in admin.get(f"/{realm}/users/{old.user_id}/credentials")
               if c["type"] == "password"]
    marked = admin.get(f"/{realm}/users/{old.user_id}")["attributes"][ids.TEMPORARY_PASSWORD_ATTR]
    assert marked == current
    browser = Browser(str(target.ca_bundle))
    page = sign_in(browser, target, ORGANISATION, old.username, temporary)
    page = choose_password(browser, page, good_password(policy))
    assert is_signed_in(page, target, ORGANISATION), shown(page)[:1500]
    now = [f"{c['id']}@{c['createdDate']}" for c in admin.get(f"/{realm}/users/{old.user_id}/credentials")
           if c["type"] == "password"]
    assert now != marked  # the person's own password, which the mark does not name
