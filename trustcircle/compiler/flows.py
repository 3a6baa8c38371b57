"""Authentication flows: what Keycloak checks when someone signs in, compiled from the policies.

A provider realm's post-broker flow runs after an agent's organisation authenticated them (the
convention gate, then the session limit). Every realm's own users (an organisation's agents and
administrators, a provider's administrators) sign in through trustcircle's browser and
direct-grant flows: a password, a second factor for whom the policy says, the session limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustcircle.compiler import ids
from trustcircle.compiler.desired import DesiredObject, Ref
from trustcircle.model.policies import Policies


def post_broker_flow(realm: str, policies: Policies) -> DesiredObject:
    limit = {"alias": f"{realm} concurrent sessions",
             "config": {"userRealmLimit": str(policies.sessions.max_concurrent), "userClientLimit": "0",
                        # a new login ends the older session: never two at once, and an agent whose
                        # browser was lost is not locked out until the old session times out
                        "behavior": "Terminate oldest session"}}
    spec = {"alias": ids.POST_BROKER_FLOW_ALIAS, "providerId": "basic-flow", "topLevel": True,
            "description": "After an agent's home organisation authenticated them: the convention gate, then "
                           "the limit of concurrent sessions.",
            "executions": [{"provider": ids.CONVENTION_GATE_PROVIDER_ID, "requirement": "REQUIRED"},
                           {"provider": "user-session-limits", "requirement": "REQUIRED", "config": limit}]}
    return DesiredObject(Ref("flow", realm, ids.POST_BROKER_FLOW_ALIAS), spec, (Ref("realm", realm, realm),))


ADMIN_ROLE = "realm-management.query-users"  # held by both administrative groups, by no agent


def _browser_factor(realm: str) -> list[dict[str, Any]]:
    """In the browser: a security key (WebAuthn) or an authenticator app's one-time code, whichever
    the person has (the key first: it cannot be phished; "try another way" offers the other).
    Someone with neither sets up the app before going on; a key is added later from the account
    console. Keycloak fails a step whose alternatives are all missing, hence the two sub-flows."""
    return [{"provider": ids.BROWSER_KNOWN_FACTOR_SUBFLOW, "requirement": "CONDITIONAL",
             "subflow": {"description": "The second factor the person has.",
                         "executions": [{"provider": "conditional-user-configured", "requirement": "REQUIRED"},
                                        {"provider": "webauthn-authenticator", "requirement": "ALTERNATIVE"},
                                        {"provider": "auth-otp-form", "requirement": "ALTERNATIVE"}]}},
            {"provider": ids.BROWSER_ENROL_SUBFLOW, "requirement": "CONDITIONAL",
             "subflow": {"description": "No second factor yet: set up an authenticator app.",
                         "executions": [{"provider": "conditional-sub-flow-executed", "requirement": "REQUIRED",
                                         "config": {"alias": f"{realm} no second factor yet",
                                                    "config": {"flow_to_check": ids.BROWSER_KNOWN_FACTOR_SUBFLOW,
                                                               "check_result": "not-executed"}}},
                                        {"provider": "auth-otp-form", "requirement": "REQUIRED"}]}}]


# Tokens by password (admin tools) can only carry a one-time code.
DIRECT_GRANT_FACTOR = [{"provider": "direct-grant-validate-otp", "requirement": "REQUIRED"}]


def _second_factor(policies: Policies, name: str, factor: list[dict[str, Any]],
                   condition_alias: str) -> list[dict[str, Any]]:
    """``factor`` from everyone (``agent_mfa``), from administrators and habilitation managers only
    (``admin_mfa``: a sub-flow on their role), or from nobody."""
    if policies.agent_mfa:
        return factor
    if not policies.admin_mfa:
        return []
    return [{"provider": name, "requirement": "CONDITIONAL",
             "subflow": {"description": "Administrators (and habilitation managers) give a second factor.",
                         "executions": [
                             {"provider": "conditional-user-role", "requirement": "REQUIRED",
                              "config": {"alias": condition_alias,
                                         "config": {"condUserRole": ADMIN_ROLE, "negate": "false"}}},
                             *factor]}}]


def _temporary_password_expiry(realm: str, policies: Policies, provider: str, where: str) -> dict[str, Any]:
    """The extension's check after the password: a temporary password an administrator set expires
    after the policy's validity (Keycloak keeps it forever)."""
    return {"provider": provider, "requirement": "REQUIRED",
            "config": {"alias": f"{realm} temporary password validity {where}",
                       "config": {"validityHours": str(policies.password.temporary_validity_hours)}}}


def own_users_flows(realm: str, policies: Policies, redirector: bool = False) -> Iterator[DesiredObject]:
    """A realm's browser and direct-grant flows for its own users: a password, a second factor (a
    security key or a one-time code in the browser, a one-time code by direct grant) for whom the
    policy says, and at most the policy's number of concurrent sessions (the newest
    login ends the oldest). ``redirector``: a provider realm also honours ``kc_idp_hint`` (straight
    to the agent's organisation, as Keycloak's default browser flow does) and runs the convention
    gate after its session cookie."""
    ref = Ref("realm", realm, realm)
    limit = {"provider": "user-session-limits", "requirement": "REQUIRED",
             "config": {"alias": f"{realm} concurrent sessions at home",
                        "config": {"userRealmLimit": str(policies.sessions.max_concurrent), "userClientLimit": "0",
                                   "behavior": "Terminate oldest session"}}}
    forms = [{"provider": "auth-username-password-form", "requirement": "REQUIRED"},
             _temporary_password_expiry(realm, policies, ids.TEMPORARY_PASSWORD_EXPIRY, "in the browser"),
             *_second_factor(policies, ids.BROWSER_MFA_SUBFLOW, _browser_factor(realm),
                             f"{realm} administrators in the browser"),
             limit]
    identify = [{"provider": "auth-cookie", "requirement": "ALTERNATIVE"},
                *([{"provider": "identity-provider-redirector", "requirement": "ALTERNATIVE"}] if redirector else []),
                {"provider": ids.BROWSER_FORMS_SUBFLOW, "requirement": "ALTERNATIVE",
                 "subflow": {"description": "Password, then what the role requires.", "executions": forms}}]
    if redirector:
        # A provider's session (SSO) skips the post-broker flow: the convention gate runs again
        # after the session cookie, or an agent signed in for one service would reach every other.
        identify = [{"provider": ids.BROWSER_IDENTIFY_SUBFLOW, "requirement": "REQUIRED",
                     "subflow": {"description": "The session, the agent's organisation, or a password.",
                                 "executions": identify}},
                    {"provider": ids.CONVENTION_GATE_PROVIDER_ID, "requirement": "REQUIRED"}]
    browser = {"alias": ids.BROWSER_FLOW_ALIAS, "providerId": "basic-flow", "topLevel": True,
               "description": "Agents sign in with their password; administrators add a second factor.",
               "binding": "browserFlow", "executions": identify}
    direct = {"alias": ids.DIRECT_GRANT_FLOW_ALIAS, "providerId": "basic-flow", "topLevel": True,
              "description": "Tokens by password (admin tools): administrators add a one-time code.",
              "binding": "directGrantFlow",
              "executions": [{"provider": "direct-grant-validate-username", "requirement": "REQUIRED"},
                             {"provider": "direct-grant-validate-password", "requirement": "REQUIRED"},
                             _temporary_password_expiry(realm, policies, ids.TEMPORARY_PASSWORD_EXPIRY_DIRECT_GRANT,
                                                        "by direct grant"),
                             *_second_factor(policies, ids.DIRECT_GRANT_MFA_SUBFLOW, DIRECT_GRANT_FACTOR,
                                             f"{realm} administrators by direct grant")]}
    browser_ref = Ref("flow", realm, ids.BROWSER_FLOW_ALIAS)
    yield DesiredObject(browser_ref, browser, (ref,))
    # one after the other: each binding rewrites the realm's row, and two at once lose one of them
    yield DesiredObject(Ref("flow", realm, ids.DIRECT_GRANT_FLOW_ALIAS), direct, (ref, browser_ref))
