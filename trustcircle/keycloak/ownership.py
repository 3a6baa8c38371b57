"""What trustcircle owns in Keycloak, and so may create, update and remove: the one contract both
converge paths follow (``pulumi up`` and ``trustcircle apply``); docs/ownership.md says it for
platform engineers.

- A realm belongs to a federation when it carries ``trustcircle.managed-by=trustcircle`` and
  ``trustcircle.federation=<id of realms/federation.yaml>``. Inside the realms of its federation,
  trustcircle owns the objects that carry its marker: clients, client scopes and groups the same
  attribute, identity providers the organisation's id in their config, flows trustcircle's own
  aliases, admin permissions the marker in their description; a realm's user profile is part of
  the realm.
- **Create**: what ``realms/`` declares and Keycloak lacks.
- **Adopt** (update): an object of the declared name that carries the marker (left by an
  interrupted run, or made by the other path), also when it appears between the read and the
  create (a killed run's last request, which Keycloak finishes after its client is gone).
  **Refuse**: one of the declared name without the marker, made by someone else: never taken
  over; the run stops before writing anything.
- **Update**: owned objects whose managed fields differ; fields trustcircle does not manage
  (attributes delegated administrators set, keys Keycloak adds) are left as they are.
- **Remove**: owned objects ``realms/`` no longer declares (a terminated convention's group, a
  departed organisation's identity provider, a narrowed form's group): revocation does not depend
  on the path an operator chose.
- **Retain**: realms and their settings (users, credentials and sessions live there): a realm no
  longer declared is forgotten, its owned objects removed, the realm itself left to an operator.
- **Never touch**: everything without the marker, and every realm of another federation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from trustcircle import ids
from trustcircle.compiler.desired import Kind, Ref
from trustcircle.errors import ConflictError, KeycloakApiError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.view import RealmView

# never removed by either path (a realm holds what trustcircle does not own)
RETAINED_KINDS: frozenset[Kind] = frozenset({"realm", "user_profile", "default_roles"})
OWN_FLOWS = (ids.POST_BROKER_FLOW_ALIAS, ids.FIRST_BROKER_FLOW_ALIAS, ids.BROWSER_FLOW_ALIAS,
             ids.DIRECT_GRANT_FLOW_ALIAS)
# removal order: what refers to others first (permissions name groups, IdPs name groups and flows)
REMOVAL_ORDER: tuple[Kind, ...] = ("admin_permission", "identity_provider", "client", "group", "client_scope",
                                   "flow")


def is_owned(kind: str, key: str, observed: dict[str, Any]) -> bool:
    """``observed`` is the object as read back, projected on the desired fields."""
    attributes = observed.get("attributes") or {}
    if kind in ("realm", "client", "client_scope"):
        return bool(attributes.get(ids.MANAGED_BY_ATTR) == ids.MANAGED_BY)
    if kind == "group":
        return bool(attributes.get(ids.MANAGED_BY_ATTR) == [ids.MANAGED_BY])
    if kind == "identity_provider":
        return bool((observed.get("config") or {}).get(ids.ORGANISATION_ATTR) == key)
    if kind in ("user_profile", "default_roles"):  # a part of its realm, which is checked itself
        return True
    if kind == "admin_permission":
        return observed.get("description") == ids.MANAGED_BY_MARKER
    return kind == "flow" and key in OWN_FLOWS


def create(admin: Admin, ref: Ref, spec: dict[str, Any]) -> None:
    """Create an object found missing; when Keycloak answers that it exists (it appeared since it
    was read: a killed run's request that Keycloak completed after its client died, or the other
    path at the same moment), read it again and adopt it if it carries the marker, else refuse."""
    handler = HANDLERS[ref.kind]
    try:
        handler.create(admin, ref.realm, ref.key, spec)
    except ConflictError as conflict:
        existing = handler.read(admin, ref.realm, ref.key, spec)  # the realm was written: read directly
        if existing is None or not is_owned(ref.kind, ref.key, existing):
            raise refusal(ref) from conflict
        handler.update(admin, ref.realm, ref.key, spec)


def refusal(ref: Ref) -> KeycloakApiError:
    """The error for an object of a declared name that trustcircle did not make."""
    return KeycloakApiError(
        f"{ref.kind} {ref.key!r} in realm {ref.realm!r} exists but was not made by trustcircle; it is not taken over",
        "rename it in realms/, or remove the Keycloak object by hand if it may go")


def federation_realms(realms: Iterable[dict[str, Any]], federation: str) -> list[str]:
    """Of the server's realms (full representations), those of ``federation``."""
    return sorted(r["realm"] for r in realms
                  if (r.get("attributes") or {}).get(ids.MANAGED_BY_ATTR) == ids.MANAGED_BY
                  and (r.get("attributes") or {}).get(ids.FEDERATION_ATTR) == federation)


def owned_objects(realm: str, view: RealmView) -> Iterator[Ref]:
    """Every object trustcircle owns in ``realm`` (read as one view), retained kinds excepted."""
    kinds: tuple[tuple[Kind, dict[str, dict[str, Any]]], ...] = (
        ("client", view.clients), ("client_scope", view.client_scopes), ("group", view.groups),
        ("identity_provider", view.identity_providers), ("flow", view.flows))
    for kind, objects in kinds:
        yield from (Ref(kind, realm, key) for key, obj in objects.items() if is_owned(kind, key, obj))
    settings = (view.clients.get("admin-permissions") or {}).get("authorizationSettings") or {}
    for policy in settings.get("policies") or []:
        if policy.get("type") == "scope" and is_owned("admin_permission", policy["name"], policy):
            yield Ref("admin_permission", realm, policy["name"])


def orphans(declared: Iterable[Ref], views: dict[str, RealmView]) -> list[Ref]:
    """Owned objects of the federation's realms (``views``) that ``declared`` lacks, in the order
    they are removed (referring objects first, deeper groups before their parents)."""
    wanted = set(declared)
    found = [ref for realm, view in sorted(views.items()) for ref in owned_objects(realm, view) if ref not in wanted]
    return sorted(found, key=lambda r: (REMOVAL_ORDER.index(r.kind), r.realm, -r.key.count("/"), r.key))


def undeclared(admin: Admin, federation: str, declared: Iterable[Ref]) -> list[Ref]:
    """What the server holds of ``federation`` that ``declared`` lacks: read fresh (one partial
    export per realm of the federation, declared or no longer declared)."""
    wanted = list(declared)
    existing = {r["realm"]: r for r in admin.get("")}
    realms = set(federation_realms(existing.values(), federation))
    realms |= {ref.realm for ref in wanted if ref.kind == "realm" and ref.realm in existing
               and is_owned("realm", ref.realm, existing[ref.realm])}
    return orphans(wanted, {realm: _view(admin, realm) for realm in sorted(realms)})


def _view(admin: Admin, realm: str) -> RealmView:
    """The session's view of the realm when it has a current one (not written since), else a fresh export."""
    view = admin.view(realm)
    if view is not None:
        return view
    return RealmView.of(admin.post_json(f"/{q(realm)}/partial-export?exportClients=true&exportGroupsAndRoles=true",
                                        {}))


def remove(admin: Admin, refs: list[Ref]) -> None:
    """Remove ``refs`` (as :func:`undeclared` gives them: in removal order) from the target."""
    for ref in refs:
        HANDLERS[ref.kind].delete(admin, ref.realm, ref.key)
