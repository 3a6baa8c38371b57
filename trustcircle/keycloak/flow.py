"""Authentication flows with their executions, changed in place (a bound flow is never recreated)."""

from __future__ import annotations

from typing import Any

from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.project import project


def _find(admin: Admin, realm: str, alias: str) -> dict[str, Any] | None:
    return next((f for f in admin.get(f"/{q(realm)}/authentication/flows") if f["alias"] == alias), None)


def _executions(admin: Admin, realm: str, alias: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = admin.get(f"/{q(realm)}/authentication/flows/{q(alias)}/executions")
    return [e for e in found if e.get("level", 0) == 0]


class FlowHandler:
    def read(self, admin: Admin, realm: str, key: str, spec: dict[str, Any]) -> dict[str, Any] | None:
        flow = _find(admin, realm, key)
        if flow is None:
            return None
        flow["executions"] = [{"provider": e.get("providerId"), "requirement": e.get("requirement")}
                              for e in _executions(admin, realm, key)]
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
        """Add missing executions, remove extra ones, then set requirements (order: as listed)."""
        base = f"/{q(realm)}/authentication/flows/{q(alias)}/executions"
        current = _executions(admin, realm, alias)
        keep = [w["provider"] for w in wanted]
        for execution in current:
            if execution.get("providerId") not in keep:
                admin.delete(f"/{q(realm)}/authentication/executions/{execution['id']}")
        have = {e.get("providerId") for e in current}
        for want in wanted:
            if want["provider"] not in have:
                admin.post(f"{base}/execution", {"provider": want["provider"]})
        by_provider = {e.get("providerId"): e for e in _executions(admin, realm, alias)}
        for want in wanted:
            execution = by_provider[want["provider"]]
            if execution.get("requirement") != want["requirement"]:
                admin.put(base, {**execution, "requirement": want["requirement"]})
