"""What the provider realm gets for its habilitation attestations, and the federation compiled for a
Keycloak that cannot issue them (an earlier version, as the upgrade tests start from)."""

from __future__ import annotations

from trustcircle import ids
from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT

REFERENCE = load_federation([REPO_ROOT / "realms"])


def _objects(attestations: bool) -> dict[str, dict[str, object]]:
    env = Environment(public_url="https://kc.example:8443", attestations=attestations)
    return {o.ref.name: o.spec for o in compile_federation(REFERENCE, env)}


def _post_broker(objects: dict[str, dict[str, object]]) -> list[str]:
    flow = objects[f"cnaf/flow/{ids.POST_BROKER_FLOW_ALIAS}"]
    return [str(e["provider"]) for e in flow["executions"]]  # type: ignore[attr-defined]


def test_the_provider_issues_its_attestations_through_keycloaks_issuer() -> None:
    objects = _objects(True)
    scope = objects["cnaf/client_scope/habilitation-cdap"]
    attributes = scope["attributes"]
    assert scope["protocol"] == "oid4vc"
    assert attributes["vc.format"] == "dc+sd-jwt" and attributes["vc.binding_required"] == "true"  # type: ignore[index]
    assert "status" in attributes["vc.credential_build_config.sd_jwt.visible_claims"].split(",")  # type: ignore[index]
    wallet = objects["cnaf/client/urn:trustcircle:wallet"]
    assert wallet["publicClient"] is True and wallet["optionalClientScopes"] == ["habilitation-cdap"]
    assert wallet["attributes"][ids.WALLET_ATTR] == "true"  # type: ignore[index]
    assert objects["cnaf/realm/cnaf"]["verifiableCredentialsEnabled"] is True
    assert ids.ATTESTATION_ENTITLEMENT in _post_broker(objects)


def test_a_keycloak_that_cannot_issue_them_gets_the_federation_without_them() -> None:
    objects = _objects(False)
    assert "cnaf/client_scope/habilitation-cdap" not in objects
    assert "cnaf/client/urn:trustcircle:wallet" not in objects
    assert "verifiableCredentialsEnabled" not in objects["cnaf/realm/cnaf"]
    assert ids.ATTESTATION_ENTITLEMENT not in _post_broker(objects)
    assert set(_objects(True)) - set(objects) == {"cnaf/client_scope/habilitation-cdap",
                                                  "cnaf/client/urn:trustcircle:wallet"}
