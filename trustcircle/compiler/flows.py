"""Authentication flows: what Keycloak checks when someone signs in, compiled from the policies.

A provider realm's post-broker flow runs after an agent's organisation authenticated them (the
convention gate, then the session limit). Every realm's own users (an organisation's agents and
administrators, a provider's administrators) sign in through trustcircle's browser and
direct-grant flows: a password, a second factor for whom the policy says, the session limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from trustcircle import ids
from trustcircle.compiler.desired import DesiredObject, Ref
from trustcircle.model.policies import Policies


def post_broker_flow(realm: str, policies: Policies, attestations: bool = False) -> DesiredObject:
    """``attestations``: the realm issues habilitation attestations (a wallet's sign-in entitles the agent)."""
    limit = {"alias": f"{realm} concurrent sessions",
             "config": {"userRealmLimit": str(policies.sessions.max_concurrent), "userClientLimit": "0",
                        # a new login ends the older session: never two at once, and an agent whose
                        # browser was lost is not locked out until the old session times out
                        "behavior": "Terminate oldest session"}}
    spec = {"alias": ids.POST_BROKER_FLOW_ALIAS, "providerId": "basic-flow", "topLevel": True,
            "description": "After an agent's home organisation authenticated them: the level of assurance, the "
                           "convention gate, a wallet's attestations (if it issues any), then the limit of concurrent "
                           "sessions.",
            # the level of assurance first: an organisation asserting less is refused whatever its conventions
            "executions": [{"provider": ids.ASSURANCE_GATE_AFTER_BROKER, "requirement": "REQUIRED"},
                           {"provider": ids.CONVENTION_GATE_PROVIDER_ID, "requirement": "REQUIRED"},
                           # at a wallet's sign-in: the attestations the agent's conventions entitle them to
                           *([{"provider": ids.ATTESTATION_ENTITLEMENT, "requirement": "REQUIRED"}]
                             if attestations else []),
                           {"provider": "user-session-limits", "requirement": "REQUIRED", "config": limit}]}
    return DesiredObject(Ref("flow", realm, ids.POST_BROKER_FLOW_ALIAS), spec, (Ref("realm", realm, realm),))


SESSION_MAX_S = 36_000  # Keycloak's default longest SSO session (10 h), which trustcircle keeps: level 1 lasts it
ADMIN_ROLE = "realm-management.query-users"  # held by both administrative groups, by no agent


def _browser_factor(realm: str, where: str = "") -> list[dict[str, Any]]:
    """In the browser: a security key (WebAuthn) or an authenticator app's one-time code, whichever
    the person has (the key first: it cannot be phished; "try another way" offers the other).
    Someone with neither sets up the app before going on; a key is added later from the account
    console. Keycloak fails a step whose alternatives are all missing, hence the two sub-flows."""
    known, enrol = f"{ids.BROWSER_KNOWN_FACTOR_SUBFLOW}{where}", f"{ids.BROWSER_ENROL_SUBFLOW}{where}"
    return [{"provider": known, "requirement": "CONDITIONAL",
             "subflow": {"description": "The second factor the person has.",
                         "executions": [{"provider": "conditional-user-configured", "requirement": "REQUIRED"},
                                        {"provider": "webauthn-authenticator", "requirement": "ALTERNATIVE"},
                                        {"provider": "auth-otp-form", "requirement": "ALTERNATIVE"}]}},
            {"provider": enrol, "requirement": "CONDITIONAL",
             "subflow": {"description": "No second factor yet: set up an authenticator app.",
                         "executions": [{"provider": "conditional-sub-flow-executed", "requirement": "REQUIRED",
                                         "config": {"alias": f"{realm} no second factor yet{where}",
                                                    "config": {"flow_to_check": known,
                                                               "check_result": "not-executed"}}},
                                        {"provider": "auth-otp-form", "requirement": "REQUIRED"}]}}]


# Tokens by password (admin tools) can only carry a one-time code.
DIRECT_GRANT_FACTOR = [{"provider": "direct-grant-validate-otp", "requirement": "REQUIRED"}]


def _second_factor(policies: Policies, name: str, factor: list[dict[str, Any]], condition_alias: str,
                   unless: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """``factor`` from everyone (``agent_mfa``), from administrators and habilitation managers only
    (``admin_mfa``: a sub-flow on their role), or from nobody; ``unless``: conditions that must also
    hold (the browser's: the second level was not just authenticated)."""
    if policies.agent_mfa and not unless:
        return factor
    if not policies.agent_mfa and not policies.admin_mfa:
        return []
    role = [] if policies.agent_mfa else [
        {"provider": "conditional-user-role", "requirement": "REQUIRED",
         "config": {"alias": condition_alias, "config": {"condUserRole": ADMIN_ROLE, "negate": "false"}}}]
    return [{"provider": name, "requirement": "CONDITIONAL",
             "subflow": {"description": "Everyone gives a second factor." if policies.agent_mfa else
                                        "Administrators (and habilitation managers) give a second factor.",
                         "executions": [*role, *(unless or []), *factor]}}]


def _level(realm: str, level: int, max_age_s: int, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """A step-up level: Keycloak runs it when the request asks for at least ``level`` (a SAML
    RequestedAuthnContext through the extension, OpenID Connect acr_values) and the session has not
    reached it within ``max_age_s``; a request asking nothing runs level 1."""
    return {"provider": ids.BROWSER_LEVEL_SUBFLOW.format(level=level), "requirement": "CONDITIONAL",
            "subflow": {"description": f"Level of assurance {level}.",
                        "executions": [{"provider": "conditional-level-of-authentication", "requirement": "REQUIRED",
                                        "config": {"alias": f"{realm} level {level}",
                                                   "config": {"loa-condition-level": str(level),
                                                              "loa-max-age": str(max_age_s)}}},
                                       *steps]}}


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
    password = [{"provider": "auth-username-password-form", "requirement": "REQUIRED"},
                _temporary_password_expiry(realm, policies, ids.TEMPORARY_PASSWORD_EXPIRY, "in the browser")]
    if redirector:  # a provider's own administrators: agents are brokered, and step up at home
        forms = [*password, *_second_factor(policies, ids.BROWSER_MFA_SUBFLOW, _browser_factor(realm),
                                            f"{realm} administrators in the browser"), limit]
    else:  # an organisation: two levels of assurance (password; second factor), then what the role requires
        level_two = ids.BROWSER_LEVEL_SUBFLOW.format(level=2)
        not_just_done = {"provider": "conditional-sub-flow-executed", "requirement": "REQUIRED",
                         "config": {"alias": f"{realm} second level not just done",
                                    "config": {"flow_to_check": level_two, "check_result": "not-executed"}}}
        forms = [_level(realm, 1, SESSION_MAX_S, password),
                 _level(realm, 2, policies.sessions.idle_minutes * 60, _browser_factor(realm, " at level 2")),
                 *_second_factor(policies, ids.BROWSER_MFA_SUBFLOW, _browser_factor(realm),
                                 f"{realm} administrators in the browser", unless=[not_just_done]),
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
                    {"provider": ids.CONVENTION_GATE_PROVIDER_ID, "requirement": "REQUIRED"},
                    # and the session's level of assurance: lower than the e-service's, the agent
                    # goes back to their organisation to step up
                    {"provider": ids.ASSURANCE_GATE, "requirement": "REQUIRED"}]
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
