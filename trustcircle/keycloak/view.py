"""One read of a whole realm: what trustcircle manages in it, indexed by natural key.

Reading Keycloak object by object costs one or more admin calls per object; a provider realm with
thousands of groups makes that minutes. ``POST /{realm}/partial-export`` returns the realm's clients
(with mappers and scopes), client roles, client scopes, the group tree (attributes and role
mappings), identity providers with their mappers, and authentication flows with their executions,
in one call. Handlers read from this view when the admin session offers one (see
``Admin.view``), and fall back to direct reads otherwise; both give the same representation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


def _flatten(groups: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for group in groups:
        yield group
        yield from _flatten(group.get("subGroups") or [])


def flow_executions(executions: list[dict[str, Any]],
                    configs: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Top-level executions of a flow in priority order, as the compiler writes them; an execution's
    configuration (``authenticatorConfig``: its alias) is looked up in ``configs`` by alias."""
    ordered = sorted(executions, key=lambda e: e.get("priority", 0))
    out = []
    for e in ordered:
        provider = e.get("flowAlias") if e.get("authenticatorFlow") else e.get("authenticator")
        item: dict[str, Any] = {"provider": provider, "requirement": e.get("requirement")}
        config = (configs or {}).get(e.get("authenticatorConfig") or "")
        if config is not None:
            item["config"] = {"alias": config["alias"], "config": config.get("config") or {}}
        out.append(item)
    return out


@dataclass
class RealmView:
    clients: dict[str, dict[str, Any]] = field(default_factory=dict)
    client_scopes: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    identity_providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # the realm's own scalar fields (flow bindings…)
    # client id → roles of that client in the realm's default roles (what every user holds)
    default_client_roles: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, export: dict[str, Any]) -> RealmView:
        client_roles = (export.get("roles") or {}).get("client") or {}
        view = cls(settings={k: v for k, v in export.items() if not isinstance(v, (list, dict))})
        default = f"default-roles-{export.get('realm')}"
        for role in (export.get("roles") or {}).get("realm") or []:
            if role.get("name") == default:
                view.default_client_roles = dict((role.get("composites") or {}).get("client") or {})
        for client in export.get("clients") or []:
            view.clients[client["clientId"]] = {
                **client, "protocolMappers": client.get("protocolMappers") or [],
                "roles": [r["name"] for r in client_roles.get(client["clientId"], [])]}
        for scope in export.get("clientScopes") or []:
            view.client_scopes[scope["name"]] = {**scope, "protocolMappers": scope.get("protocolMappers") or []}
        for group in _flatten(export.get("groups") or []):
            view.groups[group["path"]] = {**group, "attributes": group.get("attributes") or {},
                                          "clientRoles": group.get("clientRoles") or {}}
        mappers: dict[str, list[dict[str, Any]]] = {}
        for mapper in export.get("identityProviderMappers") or []:
            mappers.setdefault(mapper["identityProviderAlias"], []).append(mapper)
        for idp in export.get("identityProviders") or []:
            view.identity_providers[idp["alias"]] = {**idp, "mappers": mappers.get(idp["alias"], [])}
        configs = {c["alias"]: c for c in export.get("authenticatorConfig") or []}
        for flow in export.get("authenticationFlows") or []:
            view.flows[flow["alias"]] = {**{k: v for k, v in flow.items() if k != "authenticationExecutions"},
                                         "executions": flow_executions(flow.get("authenticationExecutions") or [],
                                                                       configs)}
        return view
