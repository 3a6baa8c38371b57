"""An agent who leaves their organisation loses access at every provider at once, and what their
organisation says of them reaches the providers without waiting for their next sign-in.

The organisation's realm tells its access accounts (the extension's consistency listener): a root
account disabled, archived or deleted at home disables its access accounts (never deletes them) and
ends their sessions; re-enabled, it re-enables what was disabled for that reason only; a new name
or e-mail reaches the access accounts, and the e-service keeps seeing the same identifier."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from conformance.agents import Agent, access_accounts
from conformance.audit import wait_for_records
from conformance.browser import Browser
from conformance.flows import authn_request_to_home, brokered_saml_login, saml_response_of
from conformance.saml_sp import for_service
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.model.schema import SamlService
from trustcircle.target import Target

PROVIDER = "cnaf"
BOUND_S = 30  # what the test waits at most; the measured delay is printed and benchmarked


def _until(admin: Admin, path: str, holds: Callable[[Any], bool]) -> float:
    """Seconds until ``holds`` is true of the resource at ``path`` (fails after BOUND_S)."""
    start = time.monotonic()
    while not holds(found := admin.get(path)):
        assert time.monotonic() - start < BOUND_S, f"{path} after {BOUND_S} s: {found}"
        time.sleep(0.1)
    return time.monotonic() - start


def test_an_agent_disabled_at_home_loses_their_access_and_session_at_the_provider(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    browser, sp = Browser(str(target.ca_bundle)), for_service(target, cdap)
    sp.accept(saml_response_of(brokered_saml_login(browser, sp, "cd33", agent), str(cdap.acs_url)))
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    sessions = f"/{PROVIDER}/users/{account['id']}/sessions"
    assert admin.get(sessions), "the agent has a session at the provider"

    admin.put(f"/cd33/users/{agent.user_id}", {"enabled": False})
    delay = _until(admin, f"/{PROVIDER}/users/{account['id']}", lambda user: not user["enabled"])
    print(f"access account disabled {delay:.2f} s after the agent was disabled at home")
    assert admin.get(sessions) == []
    user = admin.get(f"/{PROVIDER}/users/{account['id']}")
    assert user["attributes"][ids.CONSISTENCY_DISABLED_ATTR] == ["home account inactive"]
    assert user["attributes"][ids.STATUS_ATTR] == ["inactive"]
    # the same browser: no provider session any more, and home refuses the disabled agent
    to_home = authn_request_to_home(browser, sp.login_url(), "cd33")
    home_login = browser.submit(to_home, to_home.forms[0])
    refused = browser.submit(home_login, home_login.form(id="kc-form-login"),
                             username=agent.username, password=agent.password)
    assert not any("SAMLResponse" in form.fields for form in refused.forms), refused.text[:1500]
    records = wait_for_records(lambda r: r.get("resource_type") == ids.CONSISTENCY_RESOURCE_TYPE
                               and r.get("resource_path") == f"users/{account['id']}")
    assert records and "disabled (home account inactive)" in records[-1]["details"]["change"], records
    assert records[-1]["auth_realm"] == "master"  # who disabled the agent at home (the suite's administrator)

    admin.put(f"/cd33/users/{agent.user_id}", {"enabled": True})
    _until(admin, f"/{PROVIDER}/users/{account['id']}", lambda user: user["enabled"])
    again = admin.get(f"/{PROVIDER}/users/{account['id']}")
    assert ids.CONSISTENCY_DISABLED_ATTR not in again.get("attributes", {})
    assert again["attributes"][ids.STATUS_ATTR] == ["active"]


def test_an_access_account_someone_else_disabled_is_not_enabled_by_home(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), "cd33", agent)
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    admin.put(f"/{PROVIDER}/users/{account['id']}", {"enabled": False})  # the provider's own decision
    admin.put(f"/cd33/users/{agent.user_id}", {"firstName": "Dominique", "email": agent.email,
                                               "lastName": "Agent", "enabled": True})
    _until(admin, f"/{PROVIDER}/users/{account['id']}", lambda user: user["firstName"] == "Dominique")
    assert admin.get(f"/{PROVIDER}/users/{account['id']}")["enabled"] is False


def test_an_agent_deleted_at_home_is_disabled_never_deleted_at_the_provider(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService) -> None:
    agent = make_agent("cpam69", "service-social")
    brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), "cpam69", agent)
    [account] = access_accounts(admin, agent, PROVIDER, "cpam69")
    admin.delete(f"/cpam69/users/{agent.user_id}")
    try:
        _until(admin, f"/{PROVIDER}/users/{account['id']}", lambda user: not user["enabled"])
        user = admin.get(f"/{PROVIDER}/users/{account['id']}")
        assert user["attributes"][ids.CONSISTENCY_DISABLED_ATTR] == ["home account deleted"]
        assert user["attributes"][ids.STATUS_ATTR] == ["archived"]
    finally:
        admin.delete(f"/{PROVIDER}/users/{account['id']}")


def test_a_new_name_and_email_at_home_reach_the_eservice_under_the_same_identifier(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService) -> None:
    agent = make_agent("cd33", "instructeurs-rsa")
    sp = for_service(target, cdap)
    before = sp.accept(saml_response_of(brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent),
                                        str(cdap.acs_url)))
    [account] = access_accounts(admin, agent, PROVIDER, "cd33")
    renamed = f"camille.martin.{agent.username}@cd33.example"
    attributes = admin.get(f"/cd33/users/{agent.user_id}").get("attributes", {})
    admin.put(f"/cd33/users/{agent.user_id}", {"firstName": "Camille", "lastName": "Martin", "email": renamed,
                                               "attributes": {**attributes, "addressLine1": ["1 cours Pasteur"]}})
    _until(admin, f"/{PROVIDER}/users/{account['id']}", lambda user: user.get("email") == renamed)
    user = admin.get(f"/{PROVIDER}/users/{account['id']}")
    assert (user["lastName"], user["attributes"]["addressLine1"]) == ("Martin", ["1 cours Pasteur"])
    assert user["attributes"][ids.SOURCE_ATTR] == ["keycloak/cd33"]

    after = sp.accept(saml_response_of(brokered_saml_login(Browser(str(target.ca_bundle)), sp, "cd33", agent),
                                       str(cdap.acs_url)))
    assert after.name_id == before.name_id  # the e-service's key: never the e-mail
    assert renamed in str(after.attributes), after.attributes
