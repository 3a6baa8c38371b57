"""``trustcircle consistency check`` and ``sync``: every difference between the access accounts and
their root accounts, with the rule that applies; ``sync`` applies what the rules say, and only that.

A realm that cannot be read, an account deleted between read and write, a change made meanwhile:
each is reported and the run goes on with the rest; a re-run converges. Nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trustcircle import ids
from trustcircle.consistency.accounts import Link, access_accounts, access_of, home_of, links, root_accounts
from trustcircle.consistency.rules import DELETED, NAMES, Home, Plan, plan
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin, q


@dataclass(frozen=True)
class Finding:
    provider: str
    organisation: str
    account: str  # the access account's username at the provider
    account_id: str
    home: str | None  # the root account's username, None once deleted
    plan: Plan
    rule: str


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    applied: int = 0
    problems: list[str] = field(default_factory=list)


def differences(admin: Admin, link: Link, report: Report) -> Iterator[Finding]:
    roots = root_accounts(admin, link)
    for name_id, rep in access_accounts(admin, link):
        report.checked += 1
        root = roots.get(name_id)
        todo = plan(root.home if root else DELETED, access_of(rep), list(link.synchronised))
        if todo.changes():
            yield Finding(link.provider, link.organisation, rep["username"], rep["id"],
                          root.username if root else None, todo, link.rule())


def run(admin: Admin, federation: str, apply: bool,
        before_first_write: Callable[[Link], None] | None = None) -> Report:
    """Check (``apply`` False) or synchronise every link of ``federation``."""
    report = Report()
    for link in links(admin, federation):
        try:
            found = list(differences(admin, link, report))
        except KeycloakApiError as err:
            report.problems.append(f"{link.provider}/{link.organisation}: not checked: {err}")
            continue
        report.findings.extend(found)
        if apply and found and before_first_write is not None:
            before_first_write(link)
        for finding in found if apply else []:
            _apply(admin, link, finding, report)
    return report


def _apply(admin: Admin, link: Link, finding: Finding, report: Report) -> None:
    where = f"{finding.provider}: {finding.account}"
    try:
        fresh = admin.get(f"/{q(finding.provider)}/users/{finding.account_id}", missing_ok=True)
        if fresh is None:
            report.problems.append(f"{where}: deleted since it was read; nothing written")
            return
        # re-decided on what the account holds now: a change made meanwhile is not overwritten blindly
        todo = plan(_home_again(admin, link, finding), access_of(fresh), list(link.synchronised))
        if todo != finding.plan:
            report.problems.append(f"{where}: changed since it was read; applied what the rules say now")
        if todo.changes():
            write(admin, finding.provider, fresh, todo)
            report.applied += 1
    except KeycloakApiError as err:
        report.problems.append(f"{where}: not written: {err}")


def _home_again(admin: Admin, link: Link, finding: Finding) -> Home:
    """The root account as it is now (it may have changed since the page was read)."""
    if finding.home is None:
        return DELETED
    found = admin.get(f"/{q(link.home_realm)}/users?username={q(finding.home)}&exact=true&briefRepresentation=false")
    return home_of(found[0], link.home_realm) if found else DELETED


def write(admin: Admin, realm: str, rep: dict[str, Any], todo: Plan) -> None:
    """Apply ``todo`` to the account ``rep`` (as read): every attribute is sent back, changed or not."""
    attributes = {k: list(v) for k, v in (rep.get("attributes") or {}).items()}
    body = {k: rep[k] for k in ("username", "enabled", "emailVerified", *NAMES) if k in rep}
    for name, value in todo.set.items():
        if name in NAMES:
            body[name] = value
        elif value:
            attributes[name] = [value]
        else:
            attributes.pop(name, None)
    if todo.disabled_by is not None:
        if todo.disabled_by:
            attributes[ids.CONSISTENCY_DISABLED_ATTR] = [todo.disabled_by]
        else:
            attributes.pop(ids.CONSISTENCY_DISABLED_ATTR, None)
    if todo.enable is not None:
        body["enabled"] = todo.enable
    admin.put(f"/{q(realm)}/users/{rep['id']}", {**body, "attributes": attributes})
    if todo.end_sessions:
        admin.post(f"/{q(realm)}/users/{rep['id']}/logout", {})
