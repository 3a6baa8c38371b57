"""``trustcircle consistency``: the scheduled check and synchronisation, the snapshot taken before the
first synchronisation, and the rollback that puts it back — against the live federation.

The listener keeps access accounts in step as changes happen at home; the checker finds what it
could not see (accounts from before the checker, changes made at the provider by the platform's
administrator, a listener that failed) and puts it right by the same rules."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.agents import Agent, access_accounts
from conformance.browser import Browser
from conformance.flows import brokered_saml_login
from conformance.saml_sp import for_service
from trustcircle import ids
from trustcircle.consistency import snapshot
from trustcircle.consistency.checker import run
from trustcircle.keycloak.admin import Admin
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target

PROVIDER = "cnaf"


def _account(admin: Admin, agent: Agent, organisation: str) -> dict[str, Any]:
    [account] = access_accounts(admin, agent, PROVIDER, organisation)
    return dict(admin.get(f"/{PROVIDER}/users/{account['id']}"))


def _mine(report_findings: list[Any], *accounts: dict[str, Any]) -> dict[str, str]:
    ids_ = {a["id"] for a in accounts}
    return {f.account_id: f.plan.describe() for f in report_findings if f.account_id in ids_}


@pytest.mark.destructive
def test_check_sync_and_rollback_of_access_accounts_the_listener_did_not_see(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], federation: Federation,
        cdap: SamlService, tmp_path: Path) -> None:
    verified, unverified = make_agent("cd33", "instructeurs-rsa"), make_agent("ccas-bordeaux")
    for agent, organisation in ((verified, "cd33"), (unverified, "ccas-bordeaux")):
        brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), organisation, agent)
    # what the provider's accounts held before the checker (or what the platform changed there)
    old = _account(admin, verified, "cd33")
    admin.put(f"/{PROVIDER}/users/{old['id']}", {**old, "lastName": "Ancien", "attributes": {
        **old["attributes"], "addressLine1": ["3 rue d'autrefois"], ids.STATUS_ATTR: ["active"]}})
    other = _account(admin, unverified, "ccas-bordeaux")
    admin.put(f"/{PROVIDER}/users/{other['id']}", {**other, "lastName": "Corrigé"})
    before = _account(admin, verified, "cd33"), _account(admin, unverified, "ccas-bordeaux")

    found = _mine(run(admin, federation.settings.id, apply=False).findings, *before)
    # cd33 (verified): everything follows home; ccas-bordeaux (unverified, checker off): nothing does
    assert found == {old["id"]: "set addressLine1 removed, lastName='Agent', trustcircle.source='keycloak/cd33'"}

    saved: list[Path] = []
    synced = run(admin, federation.settings.id, apply=True,
                 before_first_write=lambda link: saved.append(snapshot.take(admin, tmp_path, federation.settings.id,
                                                                            link.provider)[0]))
    assert synced.problems == [] and old["id"] in {f.account_id for f in synced.findings}
    assert _mine(run(admin, federation.settings.id, apply=False).findings, *before) == {}
    after = _account(admin, verified, "cd33")
    assert (after["lastName"], after["attributes"].get("addressLine1")) == ("Agent", None)
    assert _account(admin, unverified, "ccas-bordeaux")["lastName"] == "Corrigé"  # the provider's to correct

    [file] = saved
    assert stat.S_IMODE(file.stat().st_mode) == 0o600 and stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    with pytest.raises(Exception, match="exists"):
        snapshot.take(admin, tmp_path, federation.settings.id, PROVIDER)  # the initial values are kept
    restored = snapshot.rollback(admin, file)
    assert old["username"] in restored.restored and restored.problems == []
    assert "urn:trustcircle:sp:cdap" in restored.clients
    assert (_account(admin, verified, "cd33"), _account(admin, unverified, "ccas-bordeaux")) == before
    again = snapshot.rollback(admin, file)
    assert again.restored == [] and again.unchanged >= 2  # idempotent


def test_an_unreadable_snapshot_is_refused_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "cnaf.snapshot.jsonl"
    file.write_text('{"kind": "trustcircle consistency snapshot", "version": 1, "realm": "cnaf"}\n{"id": \n')
    with pytest.raises(Exception, match=r"cnaf.snapshot.jsonl:2: not a JSON line"):
        list(snapshot.records(file))
    file.write_text('{"kind": "something else"}\n')
    with pytest.raises(Exception, match="is not a trustcircle consistency snapshot"):
        list(snapshot.records(file))


def test_what_the_checker_reads_is_served_to_administrators_of_the_realm_only(
        target: Target, admin: Admin) -> None:
    """The extension's accounts resource (personal data, faster than Keycloak's listing) answers
    only a caller who may view every user of that realm: no token 401, an organisation's
    administrator asking for the provider's accounts 403, the platform's administrator 200."""
    from conformance.administrators import make_person, totp

    url = f"{target.url}/realms/{PROVIDER}/{ids.CONSISTENCY_RESOURCE}/accounts?max=5"
    assert requests.get(url, verify=str(target.ca_bundle), timeout=30).status_code == 401
    person = make_person(admin, ids.ADMINISTRATORS_GROUP, with_otp=True)
    try:
        assert person.otp_key is not None
        token = requests.post(f"{target.url}/realms/cd33/protocol/openid-connect/token", verify=str(target.ca_bundle),
                              timeout=30, data={"grant_type": "password", "client_id": "admin-cli",
                                                "username": person.username, "password": person.password,
                                                "totp": totp(person.otp_key)}).json()["access_token"]
        refused = requests.get(url, headers={"Authorization": f"Bearer {token}"}, verify=str(target.ca_bundle),
                               timeout=30)
        assert refused.status_code == 403, refused.text[:300]
    finally:
        admin.delete(f"/cd33/users/{person.user_id}")
    page = admin.get_realm_resource(PROVIDER, f"{ids.CONSISTENCY_RESOURCE}/accounts?max=5")
    assert all(set(record) == {"id", "username", "enabled", "firstName", "lastName", "email", "attributes"}
               for record in page)


def test_an_account_deleted_or_changed_between_read_and_write_is_reported_and_the_rest_goes_on(
        target: Target, admin: Admin, make_agent: Callable[..., Agent], cdap: SamlService,
        federation: Federation) -> None:
    from trustcircle.consistency.accounts import links
    from trustcircle.consistency.checker import Report, _apply, differences

    gone, edited = make_agent("cd33", "instructeurs-rsa"), make_agent("cd33", "instructeurs-rsa")
    for agent in (gone, edited):
        brokered_saml_login(Browser(str(target.ca_bundle)), for_service(target, cdap), "cd33", agent)
    accounts = {agent.username: _account(admin, agent, "cd33") for agent in (gone, edited)}
    [link] = [lk for lk in links(admin, federation.settings.id) if lk.organisation == "cd33"]
    report = Report()
    found = {f.account_id: f for f in differences(admin, link, report)}
    mine = [found[a["id"]] for a in accounts.values()]  # new accounts lack their status and source
    admin.delete(f"/{PROVIDER}/users/{accounts[gone.username]['id']}")
    edited_now = accounts[edited.username]
    admin.put(f"/{PROVIDER}/users/{edited_now['id']}", {**edited_now, "lastName": "Changé entre-temps"})
    for finding in mine:
        _apply(admin, link, finding, report)
    assert any("deleted since it was read" in p for p in report.problems), report.problems
    assert any("changed since it was read" in p for p in report.problems), report.problems
    assert report.applied == 1
    assert _account(admin, edited, "cd33")["lastName"] == "Agent"  # home says so, re-read at write time
