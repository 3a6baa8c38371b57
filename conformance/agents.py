"""Test agents: created in an organisation's realm through the admin API, removed afterwards.

Agents belong to their organisation (delegated administrators create them in real life), so the
suite creates its own and deletes them, and the accounts the provider realm brokered for them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from conformance.administrators import otp_credential
from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q


@dataclass
class Agent:
    realm: str
    username: str
    password: str
    email: str
    user_id: str
    otp_key: bytes | None = None


def create_agent(admin: Admin, realm: str, domain: str, groups: tuple[str, ...] = (),
                 with_otp: bool = False) -> Agent:
    """An enabled agent with a password that satisfies the federation's policy (<= 20 characters,
    four character classes), member of the given groups of their home realm; ``with_otp``: with an
    authenticator app enrolled too."""
    username = f"agent-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(12)[:16] + "aA1!"
    email = f"{username}@{domain}"
    key = secrets.token_hex(10).encode() if with_otp else None
    user_id = admin.post(f"/{q(realm)}/users", {
        "username": username, "email": email, "emailVerified": True, "enabled": True,
        "firstName": "Camille", "lastName": "Agent",
        "credentials": [{"type": "password", "value": password, "temporary": False},
                        *([otp_credential(key)] if key else [])],
    })
    assert user_id is not None
    for path in groups:
        group = admin.get(f"/{q(realm)}/group-by-path/{q(path)}")
        admin.put(f"/{q(realm)}/users/{user_id}/groups/{group['id']}", {})
    return Agent(realm, username, password, email, user_id, key)


def _name_ids(admin: Admin, agent: Agent) -> list[str]:
    """The persistent NameIDs the agent's home realm gave (one per SAML client it signed in to)."""
    home = admin.get(f"/{q(agent.realm)}/users/{agent.user_id}", missing_ok=True)
    return [v for k, values in ((home or {}).get("attributes") or {}).items()
            if k.startswith(ids.PERSISTENT_NAME_ID_PREFIX) for v in values]


def access_accounts(admin: Admin, agent: Agent, provider_realm: str, idp_alias: str) -> list[dict[str, object]]:
    """The agent's accounts at the provider: the users linked to their organisation's identity
    provider under a NameID their home realm gave (never found by e-mail or name)."""
    return [user for name_id in _name_ids(admin, agent)
            for user in admin.get(f"/{q(provider_realm)}/users?idpAlias={q(idp_alias)}&idpUserId={q(name_id)}"
                                  "&briefRepresentation=false")]


def accounts_named(admin: Admin, agent: Agent, provider_realm: str, idp_alias: str) -> list[dict[str, object]]:
    """The provider's users named as the organisation's identity provider names the agent
    (``<alias>.<NameID>``), linked or not."""
    return [user for name_id in _name_ids(admin, agent)
            for user in admin.get(f"/{q(provider_realm)}/users?username={q(f'{idp_alias}.{name_id}')}&exact=true"
                                  "&briefRepresentation=false")]


def delete_agent(admin: Admin, agent: Agent, provider_realm: str, idp_alias: str) -> None:
    """Delete the account(s) the provider realm brokered for the agent (an unfinished one too),
    then the agent at home."""
    accounts = {str(u["id"]): u for u in (*access_accounts(admin, agent, provider_realm, idp_alias),
                                          *accounts_named(admin, agent, provider_realm, idp_alias))}
    for user_id in accounts:
        admin.delete(f"/{q(provider_realm)}/users/{user_id}")
    admin.delete(f"/{q(agent.realm)}/users/{agent.user_id}")
