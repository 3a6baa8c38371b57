"""``trustcircle policy report``: for the security officer, each realm's effective access policy as
Keycloak holds it, compared with what the model says it must be.

The expected values are the federation's policy, tightened by the organisation's overrides for its
own realm, compiled the way provisioning applies them: realm settings (password rules including
the breached-password list, lockout, inactivity, link validity) and what the bound flows enforce
(second factor, concurrent sessions). A **gap** (Keycloak differs: changed by hand, or never
applied) fails the report.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from trustcircle import ids
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
    "actionTokenGeneratedByAdminLifespan": "set-up link validity (s)",
    "revokeRefreshToken": "refresh tokens single-use",
    "refreshTokenMaxReuse": "refresh token reuses allowed",
}


@dataclass(frozen=True)
class Row:
    realm: str
    setting: str
    expected: str
    actual: str
    status: str  # ok | gap


def _show(key: str, value: Any) -> str:
    if key == "passwordPolicy":
        return " and ".join(sorted(str(value or "").split(" and "))) if value else "(none)"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _step_config(admin: Admin, realm: str, flow: str, provider: str) -> dict[str, str] | None:
    """The configuration of a flow's required step ``provider`` (at any depth), or None without one."""
    executions = admin.get(f"/{q(realm)}/authentication/flows/{q(flow)}/executions", missing_ok=True) or []
    step = next((e for e in executions if e.get("providerId") == provider
                 and e.get("requirement") == "REQUIRED" and e.get("authenticationConfig")), None)
    if step is None:
        return None
    config: dict[str, str] = admin.get(f"/{q(realm)}/authentication/config/{step['authenticationConfig']}").get(
        "config", {})
    return config


def _session_limit(admin: Admin, realm: str, flow: str) -> str:
    """What a flow enforces on concurrent sessions (its user-session limiter)."""
    config = _step_config(admin, realm, flow, "user-session-limits")
    if config is None:
        return "(none)"
    return f"at most {config.get('userRealmLimit')} ({config.get('behavior', '').lower()})"


def _temporary_validity(admin: Admin, realm: str) -> str:
    """How long the bound flows let a temporary password work (the extension's step in both)."""
    found = {str((_step_config(admin, realm, flow, provider) or {}).get("validityHours", "(no expiry)"))
             for flow, provider in ((ids.BROWSER_FLOW_ALIAS, ids.TEMPORARY_PASSWORD_EXPIRY),
                                    (ids.DIRECT_GRANT_FLOW_ALIAS, ids.TEMPORARY_PASSWORD_EXPIRY_DIRECT_GRANT))}
    return found.pop() if len(found) == 1 else " / ".join(sorted(found))


def _second_factor(policies: Policies) -> str:
    return "everyone" if policies.agent_mfa else "administrators" if policies.admin_mfa else "nobody"


def _own_users_flows(admin: Admin, realm: str, current: dict[str, Any]) -> tuple[str, str]:
    """What a realm's bound flows for its own users enforce: (who gives a second factor, session limit)."""
    if current.get("browserFlow") != ids.BROWSER_FLOW_ALIAS or current.get("directGrantFlow") != \
            ids.DIRECT_GRANT_FLOW_ALIAS:
        return "(trustcircle's flows not bound)", "(trustcircle's flows not bound)"
    steps = {e.get("providerId") for flow in (ids.BROWSER_FLOW_ALIAS, ids.DIRECT_GRANT_FLOW_ALIAS)
             for e in admin.get(f"/{q(realm)}/authentication/flows/{q(flow)}/executions")
             if e.get("requirement") != "DISABLED"}
    if not {"auth-otp-form", "direct-grant-validate-otp"} <= steps:
        mfa = "nobody"
    else:
        mfa = "administrators" if "conditional-user-role" in steps else "everyone"
    return mfa, _session_limit(admin, realm, ids.BROWSER_FLOW_ALIAS)


def expected_policies(federation: Federation) -> dict[str, Policies]:
    """Realm name → the policy it must follow."""
    base = federation.settings.policies_in_force()
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
        wanted = f"at most {policies.sessions.max_concurrent} (terminate oldest session)"
        if realm in providers:
            actual = _session_limit(admin, realm, ids.POST_BROKER_FLOW_ALIAS)
            rows.append(Row(realm, "concurrent sessions per agent (brokered)", wanted, actual,
                            "ok" if wanted == actual else "gap"))
        mfa, sessions = _own_users_flows(admin, realm, current)
        rows.append(Row(realm, "concurrent sessions per own user", wanted, sessions,
                        "ok" if wanted == sessions else "gap"))
        rows.append(Row(realm, "who gives a second factor", _second_factor(policies), mfa,
                        "ok" if mfa == _second_factor(policies) else "gap"))
        wanted = str(policies.password.temporary_validity_hours)
        validity = _temporary_validity(admin, realm) if mfa != "(trustcircle's flows not bound)" else mfa
        rows.append(Row(realm, "temporary password validity (hours)", wanted, validity,
                        "ok" if wanted == validity else "gap"))
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
    colours = {"ok": "#2e7d32", "gap": "#c62828"}
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
