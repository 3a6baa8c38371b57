"""Network policies cover every pod; credentials exist only as Secrets, never in a ConfigMap or a manifest."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from tests.k8s.conftest import ADMIN_PASSWORD, DB_PASSWORD, Manifests, by_kind, one, pod_templates
from trustcircle.compiler.policies import DENY_LIST_FILE
from trustcircle.k8s import meta
from trustcircle.k8s.render import REDACTED


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def test_the_default_policy_denies_everything_for_every_pod(manifests: Manifests) -> None:
    deny = one(manifests, "NetworkPolicy", "trustcircle-default-deny")["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert deny["ingress"] == []
    assert all(port["port"] == 53 for rule in deny["egress"] for port in rule["ports"])


def test_every_pod_has_a_policy_of_its_own(render_stack: Callable[..., Manifests]) -> None:
    for docs in (render_stack(), render_stack(database={"mode": "external", "host": "db.internal"})):
        policies = [p for p in by_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"]]
        for where, template in pod_templates(docs):
            labels = template["metadata"]["labels"]
            assert any(_selects(p["spec"]["podSelector"], labels) for p in policies), where


def _ingress_sources(docs: Manifests, name: str, port: int) -> list[dict[str, Any]]:
    spec = one(docs, "NetworkPolicy", name)["spec"]
    return [src for rule in spec["ingress"] if any(p["port"] == port for p in rule["ports"]) for src in rule["from"]]


def test_only_the_ingress_controller_reaches_keycloak_http(manifests: Manifests) -> None:
    sources = _ingress_sources(manifests, "trustcircle-keycloak", meta.HTTP_PORT)
    assert sources == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]


def test_only_keycloak_reaches_the_database(manifests: Manifests) -> None:
    sources = _ingress_sources(manifests, "trustcircle-postgres", meta.POSTGRES_PORT)
    assert sources == [{"podSelector": {"matchLabels": meta.labels(meta.KEYCLOAK)}}]
    assert one(manifests, "NetworkPolicy", "trustcircle-postgres")["spec"]["egress"] == []


def test_the_management_port_is_not_published(manifests: Manifests) -> None:
    for svc in by_kind(manifests, "Service"):
        assert all(p["port"] != meta.MANAGEMENT_PORT for p in svc["spec"]["ports"]), svc["metadata"]["name"]
    assert all(p["port"] != meta.MANAGEMENT_PORT for rule in
               one(manifests, "NetworkPolicy", "trustcircle-keycloak")["spec"]["ingress"] for p in rule["ports"])


def test_credentials_come_from_secrets_only(manifests: Manifests) -> None:
    for where, template in pod_templates(manifests):
        for c in [*template["spec"].get("initContainers", []), *template["spec"]["containers"]]:
            for env in c.get("env", []):
                if any(w in env["name"] for w in ("PASSWORD", "USERNAME", "USER")):
                    assert "secretKeyRef" in env.get("valueFrom", {}), f"{where}/{c['name']} {env['name']}"


def test_configured_secrets_become_secrets_and_appear_nowhere_else(render_stack: Callable[..., Manifests]) -> None:
    docs = render_stack(secrets=True)
    secrets = {s["metadata"]["name"]: s for s in by_kind(docs, "Secret")}
    assert set(secrets) == {"trustcircle-admin", "trustcircle-database"}
    assert all(s["stringData"]["password"] == REDACTED for s in secrets.values())
    text = json.dumps(docs)
    for value in (ADMIN_PASSWORD, DB_PASSWORD):
        assert value not in text and base64.b64encode(value.encode()).decode() not in text


def test_without_configured_secrets_the_operator_provides_them(manifests: Manifests) -> None:
    assert by_kind(manifests, "Secret") == []


def test_config_maps_hold_no_credentials(render_stack: Callable[..., Manifests]) -> None:
    for cm in by_kind(render_stack(secrets=True), "ConfigMap"):
        # the deny-list's key names what it holds: public, commonly breached passwords, no one's credential
        keys = [k for k in [*cm.get("data", {}), *cm.get("binaryData", {})] if k != DENY_LIST_FILE]
        assert not [k for k in keys if any(w in k.lower() for w in ("password", "secret", "token", "key"))]
        blob = json.dumps(cm) + "".join(base64.b64decode(v).decode(errors="replace")
                                        for v in cm.get("binaryData", {}).values())
        assert ADMIN_PASSWORD not in blob and DB_PASSWORD not in blob
