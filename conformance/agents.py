"""Test agents: created in an organisation's realm through the admin API, removed afterwards.

Agents belong to their organisation (delegated administrators create them in real life), so the
suite creates its own and deletes them, and the accounts the provider realm brokered for them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from conformance.administrators import otp_credential
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


def delete_agent(admin: Admin, agent: Agent, provider_realm: str, idp_alias: str) -> None:
    """Delete the agent at home and the account(s) the provider realm brokered for them.

    The brokered account is found by the agent's unique username, which their imported e-mail
    contains (the suite's e-mails are ``<username>@<org>.example``, renamed ones keep it).
    """
    for user in admin.get(f"/{q(provider_realm)}/users?search={q(agent.username)}&briefRepresentation=true"):
        links = admin.get(f"/{q(provider_realm)}/users/{user['id']}/federated-identity")
        if agent.username in (user.get("email") or "") and any(link["identityProvider"] == idp_alias for link in links):
            admin.delete(f"/{q(provider_realm)}/users/{user['id']}")
    admin.delete(f"/{q(agent.realm)}/users/{agent.user_id}")
