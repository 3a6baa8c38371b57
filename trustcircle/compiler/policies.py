"""The access policies as Keycloak realm settings (password policy, brute force, sessions, links).

Not expressible as realm settings, and applied by flows instead (``compiler.flows``): the limit
of concurrent sessions and the second factor.
"""

from __future__ import annotations

from typing import Any

from trustcircle.model.policies import Policies

# The breached-password list Keycloak reads (its data/password-blacklists/ folder): written by the
# set-up of every deployment path (trustcircle.policy.deny_list), lower-case, one password per line.
DENY_LIST_FILE = "trustcircle-breached-passwords.txt"


def password_policy(policies: Policies) -> str:
    pw = policies.password
    parts = [f"length({pw.min_length})", "notUsername(undefined)"]
    if pw.max_length is not None:
        parts.append(f"maxLength({pw.max_length})")
    if pw.character_classes == 4:
        parts += ["upperCase(1)", "lowerCase(1)", "digits(1)", "specialChars(1)"]
    if pw.history:
        parts.append(f"passwordHistory({pw.history})")
    if pw.max_age_days is not None:
        parts.append(f"forceExpiredPasswordChange({pw.max_age_days})")
    if pw.breached_deny_list:
        parts.append(f"passwordBlacklist({DENY_LIST_FILE})")
    return " and ".join(parts)


def realm_settings(policies: Policies) -> dict[str, Any]:
    wait = policies.lockout.wait_minutes * 60
    return {
        "passwordPolicy": password_policy(policies),
        "bruteForceProtected": True,
        "permanentLockout": False,
        "failureFactor": policies.lockout.max_failures,
        "waitIncrementSeconds": wait,
        "maxFailureWaitSeconds": wait,
        "ssoSessionIdleTimeout": policies.sessions.idle_minutes * 60,
        "actionTokenGeneratedByAdminLifespan": policies.password.temporary_validity_hours * 3600,
        # a refresh token works once: a copied one is useless after its owner's next refresh
        # (kcwarden: RefreshTokensShouldBeRevokedAfterUse)
        "revokeRefreshToken": True,
        "refreshTokenMaxReuse": 0,
    }
