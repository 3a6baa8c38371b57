"""Access policies (passwords, lockout, sessions, MFA) and how one is stricter than another.

A profile (``trustcircle.model.profiles``) sets the defaults, the federation may only tighten its
profile and an organisation may only tighten the federation's. ``looser_fields`` says
which settings of an override would loosen a base policy, so validation can refuse it.
"""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictInt

from trustcircle.model.base import Strict


class PasswordPolicy(Strict):
    min_length: StrictInt = Field(8, ge=6, le=128, description="minimum number of characters")
    max_length: StrictInt | None = Field(20, ge=8, le=1024,
                                         description="maximum number of characters (none: no maximum)")
    character_classes: StrictInt = Field(4, ge=0, le=4,
                                         description="classes required among upper, lower, digit, special")
    history: StrictInt = Field(3, ge=0, le=24, description="number of previous passwords that may not be reused")
    max_age_days: StrictInt | None = Field(183, ge=1, le=3650,
                                           description="forced change after this many days (none: never)")
    temporary_validity_hours: StrictInt = Field(24, ge=1, le=168,
                                                description="validity of temporary passwords and set-up links")
    breached_deny_list: StrictBool = Field(False, description="refuse passwords found in a breached-password list")


class LockoutPolicy(Strict):
    max_failures: StrictInt = Field(5, ge=1, le=100, description="failed logins before the account is frozen")
    wait_minutes: StrictInt = Field(10, ge=1, le=525600, description="how long the account stays frozen")


class SessionPolicy(Strict):
    idle_minutes: StrictInt = Field(30, ge=1, le=43200, description="maximum inactivity")
    max_concurrent: StrictInt = Field(1, ge=1, le=100, description="sessions one user may hold at once")


class Policies(Strict):
    password: PasswordPolicy = PasswordPolicy()
    lockout: LockoutPolicy = LockoutPolicy()
    sessions: SessionPolicy = SessionPolicy()
    admin_mfa: StrictBool = Field(True, description="administrators must use a second factor")
    agent_mfa: StrictBool = Field(False, description="every agent must use a second factor")


class PasswordOverride(Strict):
    min_length: StrictInt | None = Field(None, ge=6, le=128)
    max_length: StrictInt | None = Field(None, ge=8, le=1024)
    character_classes: StrictInt | None = Field(None, ge=0, le=4)
    history: StrictInt | None = Field(None, ge=0, le=24)
    max_age_days: StrictInt | None = Field(None, ge=1, le=3650)
    temporary_validity_hours: StrictInt | None = Field(None, ge=1, le=168)
    breached_deny_list: StrictBool | None = None


class LockoutOverride(Strict):
    max_failures: StrictInt | None = Field(None, ge=1, le=100)
    wait_minutes: StrictInt | None = Field(None, ge=1, le=525600)


class SessionOverride(Strict):
    idle_minutes: StrictInt | None = Field(None, ge=1, le=43200)
    max_concurrent: StrictInt | None = Field(None, ge=1, le=100)


class PolicyOverride(Strict):
    """An organisation's changes to the federation's policies: only what it sets, only tighter."""

    password: PasswordOverride = PasswordOverride()
    lockout: LockoutOverride = LockoutOverride()
    sessions: SessionOverride = SessionOverride()
    admin_mfa: StrictBool | None = None
    agent_mfa: StrictBool | None = None


def effective(base: Policies, override: PolicyOverride) -> Policies:
    """The federation's policies with the organisation's settings applied."""
    merged = base.model_dump()
    for section, values in override.model_dump(exclude_none=True).items():
        if isinstance(values, dict):
            merged[section].update(values)
        else:
            merged[section] = values
    return Policies.model_validate(merged)


# For each setting: does a larger value make the policy stricter (True) or looser (False)?
# ``None`` (no maximum, never expires) counts as infinitely large.
STRICTER_WHEN_LARGER = {
    ("password", "min_length"): True,
    ("password", "character_classes"): True,
    ("password", "history"): True,
    ("password", "max_age_days"): False,
    ("password", "temporary_validity_hours"): False,
    ("password", "breached_deny_list"): True,
    ("lockout", "max_failures"): False,
    ("lockout", "wait_minutes"): True,
    ("sessions", "idle_minutes"): False,
    ("sessions", "max_concurrent"): False,
}


def _rank(value: int | bool | None) -> float:
    return float("inf") if value is None else float(value)


def looser_fields(base: Policies, override: Policies) -> list[tuple[str, ...]]:
    """The settings where ``override`` is looser than ``base`` (key paths)."""
    found: list[tuple[str, ...]] = []
    for (section, name), larger_is_stricter in STRICTER_WHEN_LARGER.items():
        b = _rank(getattr(getattr(base, section), name))
        o = _rank(getattr(getattr(override, section), name))
        if (o < b) if larger_is_stricter else (o > b):
            found.append((section, name))
    for flag in ("admin_mfa", "agent_mfa"):
        if getattr(base, flag) and not getattr(override, flag):
            found.append((flag,))
    return found
