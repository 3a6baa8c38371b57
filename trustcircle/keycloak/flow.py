"""Authentication flows with their executions, changed in place (a bound flow is never recreated)."""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.project import project
from trustcircle.keycloak.view import flow_executions


def _find(admin: Admin, realm: str, alias: str) -> dict[str, Any] | None:
    return next((f for f in admin.get(f"/{q(realm)}/authentication/flows") if f["alias"] == alias), None)


def _executions(admin: Admin, realm: str, alias: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.get(f"/{q(realm)}/authentication/flows/{q(alias)}/executions")
    return [e for e in found if e.get("level", 0) == 0]


def _key(execution: dict[str, Any]) -> str:
    """What names an execution in the desired state: its provider, or a sub-flow's alias."""
    return str(execution.get("displayName") if execution.get("authenticationFlow") else execution.get("providerId"))


def _observed_executions(admin: Admin, realm: str, alias: str, view: Any) -> list[dict[str, Any]]:
    """A flow's executions as the compiler writes them, sub-flows included (recursively)."""
    if view is not None:
        executions: list[dict[str, Any]] = [dict(e) for e in view.flows[alias]["executions"]]
        subflows = {e["provider"] for e in executions if e["provider"] in view.flows}
    else:
        found = _executions(admin, realm, alias)
        config_ids = [e["authenticationConfig"] for e in found if e.get("authenticationConfig")]
        configs = {c["alias"]: c for c in (admin.get(f"/{q(realm)}/authentication/config/{config_id}")
                                          for config_id in config_ids)}
        by_id = {c["id"]: c["alias"] for c in configs.values()}
        executions = flow_executions(
            [{**e, "authenticator": e.get("providerId"), "authenticatorFlow": e.get("authenticationFlow"),
              "flowAlias": e.get("displayName"), "authenticatorConfig": by_id.get(e.get("authenticationConfig"))}
             for e in found], configs)
        subflows = {str(e.get("displayName")) for e in found if e.get("authenticationFlow")}
        descriptions = {str(e.get("displayName")): e.get("description", "") for e in found}
    for item in executions:
        if item["provider"] in subflows:
            description = (view.flows[item["provider"]].get("description", "") if view is not None
                           else descriptions.get(item["provider"], ""))
            item["subflow"] = {"description": description,
                               "executions": _observed_executions(admin, realm, item["provider"], view)}
    return executions


BUILT_IN_BINDINGS = {"browserFlow": "browser", "directGrantFlow": "direct grant"}


class FlowHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        flow = view.flows.get(key) if view is not None else _find(admin, realm, key)
        if flow is None:
            return None
        plain = {k: v for k, v in spec.items() if k not in ("executions", "binding")}
        observed: dict[str, Any] = project({k: v for k, v in flow.items() if k != "executions"}, plain)
        observed["executions"] = _observed_executions(admin, realm, key, view)
        if "binding" in spec:
            settings = view.settings if view is not None else (admin.get(f"/{q(realm)}") or {})
            bound = settings.get(spec["binding"])
            observed["binding"] = spec["binding"] if bound == key else None
        return observed

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        body = {k: v for k, v in spec.items() if k not in ("executions", "binding")} | {"builtIn": False}
        admin.post(f"/{q(realm)}/authentication/flows", body)
        self._sync_executions(admin, realm, key, spec["executions"])
        self._bind(admin, realm, key, spec)

    def _bind(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        """Make the flow the realm's browser (or direct grant…) flow when the spec says so."""
        if "binding" in spec and (admin.get(f"/{q(realm)}") or {}).get(spec["binding"]) != key:
            admin.put(f"/{q(realm)}", {spec["binding"]: key})

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        flow = _find(admin, realm, key)
        if flow is None:
            self.create(admin, realm, key, spec)
            return
        top = {k: v for k, v in spec.items() if k not in ("executions", "binding")}
        admin.put(f"/{q(realm)}/authentication/flows/{flow['id']}", {**flow, **top})
        self._sync_executions(admin, realm, key, spec["executions"])
        self._bind(admin, realm, key, spec)

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        flow = _find(admin, realm, key)
        if flow is None:
            return
        current = admin.get(f"/{q(realm)}") or {}
        defaults = {k: v for k, v in BUILT_IN_BINDINGS.items() if current.get(k) == key}
        if defaults:  # a bound flow cannot be deleted: give the realm back Keycloak's own first
            admin.put(f"/{q(realm)}", defaults)
        admin.delete(f"/{q(realm)}/authentication/flows/{flow['id']}")

    def _sync_executions(self, admin: Admin, realm: str, alias: str, wanted: list[dict[str, Any]]) -> None:
        """Make the flow's executions exactly ``wanted``, in place: remove extra and duplicate ones,
        add missing ones, set requirements, then move each into its listed position (priorities)."""
        base = f"/{q(realm)}/authentication/flows/{q(alias)}/executions"
        keep = [w["provider"] for w in wanted]
        seen: set[str] = set()
        for execution in _executions(admin, realm, alias):
            provider = _key(execution)
            if provider not in keep or provider in seen:
                admin.delete(f"/{q(realm)}/authentication/executions/{execution['id']}")
            seen.add(provider)
        for want in wanted:
            if want["provider"] in seen:
                continue
            if "subflow" in want:
                admin.post(f"{base}/flow", {"alias": want["provider"], "type": "basic-flow",
                                            "description": want["subflow"].get("description", ""),
                                            "provider": "registration-page-form"})
            else:
                admin.post(f"{base}/execution", {"provider": want["provider"]})
        current = _executions(admin, realm, alias)
        by_provider = {_key(e): e for e in current}
        for want in wanted:
            execution = by_provider[want["provider"]]
            if execution.get("requirement") != want["requirement"]:
                admin.put(base, {**execution, "requirement": want["requirement"]})
        order = [_key(e) for e in current]
        for position, provider in enumerate(keep):
            index = order.index(provider)
            for _ in range(index - position):  # raise until it sits where the list says
                admin.post(f"/{q(realm)}/authentication/executions/{by_provider[provider]['id']}/raise-priority", {})
            order.insert(position, order.pop(index))
        for want in wanted:
            if "config" in want:
                self._sync_config(admin, realm, by_provider[want["provider"]], want["config"])
            if "subflow" in want:
                self._sync_executions(admin, realm, want["provider"], want["subflow"]["executions"])

    def _sync_config(self, admin: Admin, realm: str, execution: dict[str, Any], wanted: dict[str, Any]) -> None:
        """The execution's configuration (alias and values), created or put right in place."""
        config_id = execution.get("authenticationConfig")
        if config_id is None:
            admin.post(f"/{q(realm)}/authentication/executions/{execution['id']}/config", wanted)
            return
        current = admin.get(f"/{q(realm)}/authentication/config/{config_id}")
        if current.get("alias") != wanted["alias"] or current.get("config") != wanted["config"]:
            admin.put(f"/{q(realm)}/authentication/config/{config_id}", {**current, **wanted})
