"""Audit lines in the shape the extension's listener writes them (extensions/audit-listener,
AuditRecord): Java's Instant.toString times (no fraction on a whole second), user ids, the
username and identity provider in ``details``, admin events with ``auth_realm``/``auth_user``."""

from __future__ import annotations

from typing import Any

AGENT_HOME = "4f6c1f9e-2b1a-4c5e-9d3b-7a1e2f3c4d5e"  # the agent in realm cd33
AGENT_AT_PROVIDER = "a9d8c7b6-1111-4222-8333-944455566677"  # the same agent, brokered, in cnaf
ADMIN = "0c0c0c0c-1234-4567-89ab-cdef01234567"  # an administrator of cd33
CDAP = "urn:trustcircle:sp:cdap"

LINES: list[dict[str, Any]] = [
    # written in this order by two Keycloak threads; the provider's login has a fraction of a second
    {"time": "2026-11-23T10:00:41.039Z", "kind": "user", "transaction": "ID_1", "sp_request": "sp-1",
     "realm": "cnaf", "type": "LOGIN", "client": CDAP, "user": AGENT_AT_PROVIDER, "user_session": "s-cnaf",
     "details": {"identity_provider": "cd33", "identity_provider_identity": "G-7Q2", "username": "cd33.g-7q2"}},
    {"time": "2026-11-23T10:00:41Z", "kind": "user", "transaction": "ID_1", "realm": "cd33", "type": "LOGIN",
     "client": "https://127.0.0.1:8443/realms/cnaf", "user": AGENT_HOME, "user_session": "s-cd",
     "details": {"auth_method": "saml", "username": "jdupont"}},
    {"time": "2026-11-23T10:00:42.5Z", "kind": "user", "realm": "cnaf", "type": "CODE_TO_TOKEN", "client": CDAP,
     "user": AGENT_AT_PROVIDER, "user_session": "s-cnaf"},
    {"time": "2026-11-24T08:15:00Z", "kind": "user", "transaction": "ID_2", "realm": "ccas-bordeaux",
     "type": "LOGIN", "user": "77777777-aaaa-4bbb-8ccc-dddddddddddd", "user_session": "s-x",
     "details": {"username": "mmartin"}},
    {"time": "2026-11-24T08:15:00.2Z", "kind": "user", "transaction": "ID_2", "realm": "cnaf",
     "type": "IDENTITY_PROVIDER_POST_LOGIN_ERROR", "client": CDAP, "error": "trustcircle_convention_denied",
     "details": {"trustcircle_rule": "no_convention", "identity_provider": "ccas-bordeaux"}},
    {"time": "2026-11-25T09:00:00Z", "kind": "admin", "realm": "cd33", "operation": "CREATE",
     "resource_type": "GROUP_MEMBERSHIP", "resource_path": f"users/{AGENT_HOME}/groups/g1", "auth_realm": "cd33",
     "auth_user": ADMIN, "auth_client": "security-admin-console", "error": "forbidden"},
]
ORGANISATION_OF_REALM = {"cd33": "cd33", "ccas-bordeaux": "ccas-bordeaux"}
SERVICE_OF_CLIENT = {CDAP: "cdap"}
