"""What trustcircle owns in Keycloak: objects carrying its marker, and nothing else.

Realms, clients and client scopes carry the attribute ``trustcircle.managed-by=trustcircle``,
groups the same attribute, identity providers the organisation's id in their config, and flows
trustcircle's own alias, admin permissions the marker in their description; a realm's user
profile belongs to the realm. An object of the same name
without the marker was made by someone else: it is never taken over (``pulumi up`` stops and says
so) and never deleted.
"""

from __future__ import annotations

from typing import Any

from trustcircle.compiler import ids


def is_owned(kind: str, key: str, observed: dict[str, Any]) -> bool:
    """``observed`` is the object as read back, projected on the desired fields."""
    attributes = observed.get("attributes") or {}
    if kind in ("realm", "client", "client_scope"):
        return bool(attributes.get(ids.MANAGED_BY_ATTR) == ids.MANAGED_BY)
    if kind == "group":
        return bool(attributes.get(ids.MANAGED_BY_ATTR) == [ids.MANAGED_BY])
    if kind == "identity_provider":
        return bool((observed.get("config") or {}).get(ids.ORGANISATION_ATTR) == key)
    if kind == "user_profile":  # a part of its realm, which is checked itself
        return True
    if kind == "admin_permission":
        return observed.get("description") == ids.MANAGED_BY_MARKER
    return kind == "flow" and key in (ids.POST_BROKER_FLOW_ALIAS, ids.BROWSER_FLOW_ALIAS, ids.DIRECT_GRANT_FLOW_ALIAS)
