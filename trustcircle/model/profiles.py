"""Policy profiles as data: the access policy of the source documents (the default) and one that
follows current guidance, each setting with where it comes from.

A federation picks a profile (``federation.policy_profile``) and may only tighten it; an
organisation may only tighten the federation's. ``docs/reference.md`` shows both profiles side by
side from this module, so the docs cannot drift from what is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from trustcircle.model.policies import LockoutPolicy, PasswordPolicy, Policies, SessionPolicy

ProfileId = Literal["habpps", "current-guidance"]
DEFAULT_PROFILE: ProfileId = "habpps"


@dataclass(frozen=True)
class Profile:
    id: ProfileId
    title: str
    policies: Policies
    sources: dict[str, str]  # setting (section.name) → where its value comes from


# Short names of the sources; SOURCES gives each in full (docs/reference.md prints them).
HABPPS_SOURCE = "Habpps"
NIST = "NIST 800-63B-4"
ANSSI = "ANSSI 2021"
SOURCES = {
    HABPPS_SOURCE: "the access policy of the partner accounts (\"Mon Compte Partenaire\" documents)",
    NIST: "NIST Special Publication 800-63B-4, Digital Identity Guidelines: Authentication and "
          "Authenticator Management (2025)",
    ANSSI: "ANSSI & CNIL, Recommandations relatives à l'authentification multifacteur et aux mots de passe "
           "(2021); CNIL deliberation 2022-100 on passwords",
}

HABPPS = Profile(
    id="habpps",
    title="The documents' policy (Habpps)",
    policies=Policies(
        password=PasswordPolicy(min_length=8, max_length=20, character_classes=4, history=3, max_age_days=183,
                                temporary_validity_hours=24, breached_deny_list=False),
        lockout=LockoutPolicy(max_failures=5, wait_minutes=10),
        sessions=SessionPolicy(idle_minutes=30, max_concurrent=1),
        admin_mfa=True, agent_mfa=False),
    sources={
        "password.min_length": f"{HABPPS_SOURCE}: 8 to 20 characters",
        "password.max_length": f"{HABPPS_SOURCE}: 8 to 20 characters",
        "password.character_classes": f"{HABPPS_SOURCE}: upper case, lower case, digit and special character",
        "password.history": f"{HABPPS_SOURCE}: not one of the last 3 passwords",
        "password.max_age_days": f"{HABPPS_SOURCE}: valid 6 months",
        "password.temporary_validity_hours": f"{HABPPS_SOURCE}: temporary password valid 24 hours",
        "password.breached_deny_list": "not in the documents",
        "lockout.max_failures": f"{HABPPS_SOURCE}: account frozen after 5 failed logins",
        "lockout.wait_minutes": "not in the documents (how long it stays frozen): 10 minutes, then free again",
        "sessions.idle_minutes": f"{HABPPS_SOURCE}: 30 minutes of inactivity",
        "sessions.max_concurrent": f"{HABPPS_SOURCE}: no concurrent sessions",
        "admin_mfa": "the delegation model's administrators hold other people's access: a second factor",
        "agent_mfa": "not in the documents",
    })

CURRENT_GUIDANCE = Profile(
    id="current-guidance",
    title="Current guidance (NIST SP 800-63B-4, ANSSI 2021)",
    policies=Policies(
        password=PasswordPolicy(min_length=15, max_length=64, character_classes=0, history=3, max_age_days=None,
                                temporary_validity_hours=24, breached_deny_list=True),
        lockout=LockoutPolicy(max_failures=10, wait_minutes=15),
        sessions=SessionPolicy(idle_minutes=30, max_concurrent=1),
        admin_mfa=True, agent_mfa=True),
    sources={
        "password.min_length": f"{NIST} §3.1.1.2: at least 15 characters when a password is used alone; "
                               "long passphrases instead of composed short passwords",
        "password.max_length": f"{NIST} §3.1.1.2: accept at least 64 characters",
        "password.character_classes": f"{NIST} §3.1.1.2: no composition rules",
        "password.history": f"{ANSSI}: no reuse of former passwords (NIST is silent)",
        "password.max_age_days": f"{NIST} §3.1.1.2 and {ANSSI}: no periodic change, only on evidence of "
                                 "compromise",
        "password.temporary_validity_hours": f"{HABPPS_SOURCE} (guidance sets no figure): 24 hours",
        "password.breached_deny_list": f"{NIST} §3.1.1.2: compare against a blocklist of breached and common "
                                       "passwords",
        "lockout.max_failures": f"{NIST} §3.2.2: at most 100 consecutive failures; CNIL: frozen after 10 "
                                "failures",
        "lockout.wait_minutes": "guidance sets no figure: 15 minutes",
        "sessions.idle_minutes": f"{NIST} §2.2.3 (AAL2): reauthenticate after 30 minutes of inactivity",
        "sessions.max_concurrent": f"{HABPPS_SOURCE} (guidance sets no figure): one session",
        "admin_mfa": f"{ANSSI}: multi-factor authentication for privileged accounts",
        "agent_mfa": f"{NIST} AAL2 and {ANSSI}: multi-factor authentication for access to personal data",
    })

PROFILES: dict[str, Profile] = {p.id: p for p in (HABPPS, CURRENT_GUIDANCE)}
