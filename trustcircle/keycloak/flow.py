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


class FlowHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        view = admin.view(realm)
        flow = view.flows.get(key) if view is not None else _find(admin, realm, key)
        if flow is None:
            return None
        if view is None:
            executions = _executions(admin, realm, key)
            config_ids = [e["authenticationConfig"] for e in executions if e.get("authenticationConfig")]
            configs = {c["alias"]: c for c in (admin.get(f"/{q(realm)}/authentication/config/{config_id}")
                                              for config_id in config_ids)}
            by_id = {c["id"]: c["alias"] for c in configs.values()}
            flow["executions"] = flow_executions(
                [{**e, "authenticator": e.get("providerId"),
                  "authenticatorConfig": by_id.get(e.get("authenticationConfig"))} for e in executions], configs)
        observed: dict[str, Any] = project({k: v for k, v in flow.items() if k != "executions"},
                                           {k: v for k, v in spec.items() if k != "executions"})
        observed["executions"] = flow["executions"]
        return observed

    def create(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        body = {k: v for k, v in spec.items() if k != "executions"} | {"builtIn": False}
        admin.post(f"/{q(realm)}/authentication/flows", body)
        self._sync_executions(admin, realm, key, spec["executions"])

    def update(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> None:
        flow = _find(admin, realm, key)
        if flow is None:
            self.create(admin, realm, key, spec)
            return
        top = {k: v for k, v in spec.items() if k != "executions"}
        admin.put(f"/{q(realm)}/authentication/flows/{flow['id']}", {**flow, **top})
        self._sync_executions(admin, realm, key, spec["executions"])

    def delete(self, admin: Admin, realm: str, key: str) -> None:
        flow = _find(admin, realm, key)
        if flow is not None:
            admin.delete(f"/{q(realm)}/authentication/flows/{flow['id']}")

    def _sync_executions(self, admin: Admin, realm: str, alias: str, wanted: list[dict[str, Any]]) -> None:
        """Make the flow's executions exactly ``wanted``, in place: remove extra and duplicate ones,
        add missing ones, set requirements, then move each into its listed position (priorities)."""
        base = f"/{q(realm)}/authentication/flows/{q(alias)}/executions"
        keep = [w["provider"] for w in wanted]
        seen: set[str] = set()
        for execution in _executions(admin, realm, alias):
            provider = execution.get("providerId")
            if provider not in keep or provider in seen:
                admin.delete(f"/{q(realm)}/authentication/executions/{execution['id']}")
            seen.add(str(provider))
        for want in wanted:
            if want["provider"] not in seen:
                admin.post(f"{base}/execution", {"provider": want["provider"]})
        current = _executions(admin, realm, alias)
        by_provider = {e.get("providerId"): e for e in current}
        for want in wanted:
            execution = by_provider[want["provider"]]
            if execution.get("requirement") != want["requirement"]:
                admin.put(base, {**execution, "requirement": want["requirement"]})
        order = [e.get("providerId") for e in current]
        for position, provider in enumerate(keep):
            index = order.index(provider)
            for _ in range(index - position):  # raise until it sits where the list says
                admin.post(f"/{q(realm)}/authentication/executions/{by_provider[provider]['id']}/raise-priority", {})
            order.insert(position, order.pop(index))
        for want in wanted:
            if "config" in want:
                self._sync_config(admin, realm, by_provider[want["provider"]], want["config"])

    def _sync_config(self, admin: Admin, realm: str, execution: dict[str, Any], wanted: dict[str, Any]) -> None:
        """The execution's configuration (alias and values), created or put right in place."""
        config_id = execution.get("authenticationConfig")
        if config_id is None:
            admin.post(f"/{q(realm)}/authentication/executions/{execution['id']}/config", wanted)
            return
        current = admin.get(f"/{q(realm)}/authentication/config/{config_id}")
        if current.get("alias") != wanted["alias"] or current.get("config") != wanted["config"]:
            admin.put(f"/{q(realm)}/authentication/config/{config_id}", {**current, **wanted})
