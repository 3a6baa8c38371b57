"""``trustcircle policy report``: for the security officer, each realm's effective access policy as
Keycloak holds it, compared with what the model says it must be.

The expected values are the federation's policy, tightened by the organisation's overrides for its
own realm, compiled the way provisioning applies them. A **gap** (Keycloak differs: changed by
hand, or never applied) fails the report. Controls the model states but configuration cannot
carry yet (concurrent-session limit, administrators' second factor, breached-password list) are
listed as such, every time, so nobody takes them for granted.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trustcircle.compiler import ids
from trustcircle.compiler.policies import realm_settings
from trustcircle.keycloak.admin import Admin, q
from trustcircle.model.policies import Policies, effective
from trustcircle.model.schema import Federation

SETTINGS: dict[str, str] = {
    "passwordPolicy": "password rules",
    "bruteForceProtected": "lockout after failed logins",
    "permanentLockout": "permanent lockout",
    "failureFactor": "failed logins before lockout",
    "waitIncrementSeconds": "lockout duration (s)",
    "maxFailureWaitSeconds": "longest lockout (s)",
    "ssoSessionIdleTimeout": "session idle timeout (s)",
    "actionTokenGeneratedByAdminLifespan": "temporary password and set-up link validity (s)",
}
# controls configuration does not carry yet: (what it must be, or None when the model asks nothing)
NOT_YET: dict[str, Callable[[Policies], str | None]] = {
    "second factor for administrators": lambda p: "required" if p.admin_mfa else None,
    "breached-password deny-list": lambda p: "on" if p.password.breached_deny_list else None,
}


@dataclass(frozen=True)
class Row:
    realm: str
    setting: str
    expected: str
    actual: str
    status: str  # ok | gap | not enforced yet


def _show(key: str, value: Any) -> str:
    if key == "passwordPolicy":
        return " and ".join(sorted(str(value or "").split(" and "))) if value else "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _session_limit(admin: Admin, realm: str, flow: str) -> str:
    """What a flow enforces on concurrent sessions (its user-session limiter, at any depth)."""
    executions = admin.get(f"/{q(realm)}/authentication/flows/{q(flow)}/executions", missing_ok=True) or []
    limiter = next((e for e in executions if e.get("providerId") == "user-session-limits"
                    and e.get("requirement") == "REQUIRED" and e.get("authenticationConfig")), None)
    if limiter is None:
        return "(none)"
    config = admin.get(f"/{q(realm)}/authentication/config/{limiter['authenticationConfig']}").get("config", {})
    return f"at most {config.get('userRealmLimit')} ({config.get('behavior', '').lower()})"


def _home_flows(admin: Admin, realm: str, current: dict[str, Any]) -> tuple[str, str]:
    """What an organisation realm's bound flows enforce: (administrators' second factor, session limit)."""
    if current.get("browserFlow") != ids.BROWSER_FLOW_ALIAS or current.get("directGrantFlow") != \
            ids.DIRECT_GRANT_FLOW_ALIAS:
        return "(trustcircle's flows not bound)", "(trustcircle's flows not bound)"
    steps = {e.get("providerId") for flow in (ids.BROWSER_FLOW_ALIAS, ids.DIRECT_GRANT_FLOW_ALIAS)
             for e in admin.get(f"/{q(realm)}/authentication/flows/{q(flow)}/executions")
             if e.get("requirement") != "DISABLED"}
    mfa = "required" if {"auth-otp-form", "direct-grant-validate-otp", "conditional-user-role"} <= steps \
        else "(no second factor step)"
    return mfa, _session_limit(admin, realm, ids.BROWSER_FLOW_ALIAS)


def expected_policies(federation: Federation) -> dict[str, Policies]:
    """Realm name → the policy it must follow."""
    base = federation.settings.policies
    realms = {p.realm: base for p in federation.providers}
    realms.update({o.realm: effective(base, o.policies) for o in federation.organisations if o.realm})
    return dict(sorted(realms.items()))


def compare(federation: Federation, admin: Admin) -> list[Row]:
    rows: list[Row] = []
    providers = {p.realm for p in federation.providers}
    for realm, policies in expected_policies(federation).items():
        current = admin.get(f"/{q(realm)}", missing_ok=True) or {}
        for key, wanted in realm_settings(policies).items():
            expected, actual = _show(key, wanted), _show(key, current.get(key)) if current else "(no realm)"
            rows.append(Row(realm, SETTINGS.get(key, key), expected, actual, "ok" if expected == actual else "gap"))
        if realm in providers:
            wanted = f"at most {policies.sessions.max_concurrent} (terminate oldest session)"
            actual = _session_limit(admin, realm, ids.POST_BROKER_FLOW_ALIAS)
            rows.append(Row(realm, "concurrent sessions per agent (brokered)", wanted, actual,
                            "ok" if wanted == actual else "gap"))
        else:
            mfa, sessions = _home_flows(admin, realm, current)
            wanted = f"at most {policies.sessions.max_concurrent} (terminate oldest session)"
            rows.append(Row(realm, "concurrent sessions per agent", wanted, sessions,
                            "ok" if wanted == sessions else "gap"))
            if policies.admin_mfa:
                rows.append(Row(realm, "second factor for administrators", "required", mfa,
                                "ok" if mfa == "required" else "gap"))
        rows += [Row(realm, name, wanted, "—", "not enforced yet") for name, value in NOT_YET.items()
                 for wanted in [value(policies)] if wanted is not None
                 and not (realm not in providers and name == "second factor for administrators")]
    return rows


def markdown(rows: list[Row]) -> str:
    gaps = [r for r in rows if r.status == "gap"]
    realms = sorted({r.realm for r in rows})
    lines = ["# Access policy report", "",
             f"{len(realms)} realms; {len(gaps)} gap(s)." if gaps else f"{len(realms)} realms; no gap.", ""]
    for realm in realms:
        lines += [f"## {realm}", "", "| setting | must be | Keycloak has | status |", "| --- | --- | --- | --- |"]
        lines += [f"| {r.setting} | {r.expected} | {r.actual} | {'**gap**' if r.status == 'gap' else r.status} |"
                  for r in rows if r.realm == realm]
        lines.append("")
    return "\n".join(lines)


def html_page(rows: list[Row]) -> str:
    colours = {"ok": "#2e7d32", "gap": "#c62828", "not enforced yet": "#ef6c00"}
    realms = sorted({r.realm for r in rows})
    cells = []
    for realm in realms:
        mine = [r for r in rows if r.realm == realm]
        squares = "".join(f'<span title="{html.escape(r.setting)}: {r.status}" style="display:inline-block;width:14px;'
                          f'height:14px;margin:1px;background:{colours[r.status]}"></span>' for r in mine)
        body = "".join(f"<tr><td>{html.escape(r.setting)}</td><td>{html.escape(r.expected)}</td>"
                       f"<td>{html.escape(r.actual)}</td><td style=\"color:{colours[r.status]}\">{r.status}</td></tr>"
                       for r in mine)
        cells.append(f"<h2>{html.escape(realm)} {squares}</h2><table><tr><th>setting</th><th>must be</th>"
                     f"<th>Keycloak has</th><th>status</th></tr>{body}</table>")
    gaps = sum(1 for r in rows if r.status == "gap")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Access policy report</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}}table{{border-collapse:collapse;width:100%}}
td,th{{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;font-size:.9rem}}</style></head><body>
<h1>Access policy report</h1><p>{len(realms)} realms; {gaps} gap(s). Green: as required; red: gap; orange: a control
the model requires that configuration does not carry yet.</p>{"".join(cells)}</body></html>
"""
