"""Key rotation's pure logic: which provider is which, what start refuses, the order of the writes
(never a moment without an active key), the links found, the metadata read (no Keycloak here)."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest

from trustcircle.compiler.desired import Kind
from trustcircle.errors import ConfigurationError, RotationError
from trustcircle.rotation import keys, phases
from trustcircle.rotation.keys import ENCRYPTION, SIGNING, RealmKeys, providers_of
from trustcircle.rotation.links import Link, Outside, discover, published
from trustcircle.rotation.rotate import Rotation

ROTATION = "20261201T120000Z"


def _component(cid: str, name: str, priority: int = 100, active: bool = True, enabled: bool = True) -> dict[str, Any]:
    return {"id": cid, "name": name, "providerId": "rsa-generated", "config": {
        "priority": [str(priority)], "active": [str(active).lower()], "enabled": [str(enabled).lower()]}}


def _key(cid: str, use: str, algorithm: str) -> dict[str, Any]:
    return {"providerId": cid, "kid": f"kid-{cid}", "use": use, "algorithm": algorithm, "certificate": "AAEC"}


def _realm(*components: dict[str, Any]) -> RealmKeys:
    kinds = {"s": ("SIG", "RS256"), "e": ("ENC", "RSA-OAEP"), "h": ("SIG", "HS512")}
    found = [_key(c["id"], *kinds[c["id"][0]]) for c in components]
    return RealmKeys("cd33", "realm-id", providers_of(list(components), found))


FRESH = _realm(_component("s1", "rsa-generated"), _component("e1", "rsa-enc-generated"),
               _component("h1", "hmac-generated-hs512"))
ROTATING = _realm(
    _component("s1", keys.retiring_name("rsa-generated", ROTATION), active=False),
    _component("s2", keys.made_name(SIGNING, ROTATION), priority=110),
    _component("e1", keys.retiring_name("rsa-enc-generated", ROTATION), active=False),
    _component("e2", keys.made_name(ENCRYPTION, ROTATION), priority=110))


def test_providers_are_known_by_their_key_and_name() -> None:
    assert [(p.id, p.use.name) for p in FRESH.providers] == [("e1", "encryption"), ("s1", "signing")]  # no HMAC
    assert FRESH.rotation is None and not FRESH.retiring and not FRESH.stray_passive()
    assert ROTATING.rotation == ROTATION
    assert [p.id for p in ROTATING.retiring] == ["e1", "s1"] and [p.id for p in ROTATING.made] == ["e2", "s2"]
    assert [p.id for p in ROTATING.current(SIGNING)] == ["s2"]
    assert ROTATING.retiring[1].base_name == "rsa-generated"
    assert keys.started_at(ROTATION) == dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def test_start_refuses_a_realm_mid_rotation_naming_it_and_what_to_do() -> None:
    with pytest.raises(RotationError) as refused:
        phases.check_start([FRESH, ROTATING])
    assert f"realm cd33: rotation {ROTATION} is still in progress" in str(refused.value)
    assert "rsa-generated [retiring" in str(refused.value)
    assert "./run rotate keys finish --realm cd33" in refused.value.hint
    assert refused.value.hint.endswith("Nothing was changed")


def test_start_refuses_a_passive_key_made_by_hand() -> None:
    by_hand = _realm(_component("s1", "rsa-generated"), _component("s9", "old one", active=False))
    with pytest.raises(RotationError, match="a passive key no rotation retires"):
        phases.check_start([by_hand])
    phases.check_start([FRESH])  # a realm with nothing in progress passes


class Recorder:
    """An admin session that records its writes."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, str, Any]] = []

    def post(self, path: str, body: Any) -> None:
        self.writes.append(("POST", path, body))

    def put(self, path: str, body: Any) -> None:
        self.writes.append(("PUT", path, body))

    def delete(self, path: str) -> None:
        self.writes.append(("DELETE", path, None))


def test_start_adds_the_new_keys_before_the_old_ones_go_passive() -> None:
    admin = Recorder()
    phases.start_realm(admin, FRESH, ROTATION)  # type: ignore[arg-type]
    assert [w[0] for w in admin.writes] == ["POST", "POST", "PUT", "PUT"]
    new = [w[2] for w in admin.writes[:2]]
    assert [(n["providerId"], n["config"]["priority"], n["config"]["active"]) for n in new] == [
        ("rsa-generated", ["110"], ["true"]), ("rsa-enc-generated", ["110"], ["true"])]
    passive = [w[2] for w in admin.writes[2:]]
    assert all(p["config"]["active"] == ["false"] and "[retiring: trustcircle rotation" in p["name"] for p in passive)


def test_rollback_makes_the_old_keys_active_before_the_new_ones_go_passive() -> None:
    admin = Recorder()
    phases.rollback_realm(admin, ROTATING, "20261201T130000Z")  # type: ignore[arg-type]
    assert [(w[1].rsplit("/", 1)[-1], w[2]["config"]["active"]) for w in admin.writes] == [
        ("e1", ["true"]), ("s1", ["true"]), ("e2", ["false"]), ("s2", ["false"])]
    rolled = _realm(*[{**w[2]} for w in admin.writes])
    assert phases.rolled_back(rolled) and rolled.rotation == "20261201T130000Z"
    with pytest.raises(RotationError, match="already rolled back"):
        phases.check_rollback(rolled)
    with pytest.raises(RotationError, match="no rotation in progress"):
        phases.check_rollback(FRESH)


def test_finish_removes_only_the_retiring_keys_and_never_the_last_active_one() -> None:
    admin = Recorder()
    phases.check_finish(ROTATING)
    phases.finish_realm(admin, ROTATING)  # type: ignore[arg-type]
    assert [w[1] for w in admin.writes] == ["/cd33/components/e1", "/cd33/components/s1"]
    alone = _realm(_component("s1", keys.retiring_name("rsa-generated", ROTATION), active=False))
    with pytest.raises(RotationError, match="no active signing key"):
        phases.check_finish(alone)
    assert phases.finish_after(ROTATING, 300) == dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)


class Server:
    """Reads of a federation of two realms: cnaf brokers cd33 (both ways by metadata URL) and an
    organisation's own IdP; cnaf has a SAML e-service."""

    target = type("T", (), {"url": "https://kc.example"})()

    def get(self, path: str) -> Any:
        base = "https://kc.example/realms"
        return {
            "/cnaf/identity-provider/instances": [
                {"alias": "cd33", "providerId": "saml", "config": {
                    "useMetadataDescriptorUrl": "true",
                    "metadataDescriptorUrl": f"{base}/cd33/protocol/saml/descriptor"}},
                {"alias": "chu", "providerId": "saml", "config": {
                    "useMetadataDescriptorUrl": "true", "metadataDescriptorUrl": "https://idp.chu.example/md",
                    "wantAssertionsEncrypted": "true"}}],
            "/cnaf/clients": [{"clientId": "urn:sp:cdap", "protocol": "saml",
                               "attributes": {"trustcircle.managed-by": "trustcircle"}},
                              {"clientId": "account", "protocol": "openid-connect", "attributes": {}}],
            "/cd33/identity-provider/instances": [],
            "/cd33/clients": [{"clientId": f"{base}/cnaf", "protocol": "saml", "attributes": {
                "saml.useMetadataDescriptorUrl": "true",
                "saml.metadataDescriptorUrl": f"{base}/cnaf/broker/cd33/endpoint/descriptor"}}],
        }[path]


def test_links_and_outside_parties_of_the_rotated_realms() -> None:
    links, outside = discover(Server(), ["cd33", "cnaf"], {"cnaf"})  # type: ignore[arg-type]
    assert links == [Link("cd33", "broker client", "https://kc.example/realms/cnaf", "cnaf",
                          "https://kc.example/realms/cnaf/broker/cd33/endpoint/descriptor")]
    assert outside == [
        Outside("cnaf", "the organisation's own SAML identity provider", "chu",
                "https://kc.example/realms/cnaf/broker/chu/endpoint/descriptor", ("signing", "encryption")),
        Outside("cnaf", "SAML e-service", "urn:sp:cdap", "https://kc.example/realms/cnaf/protocol/saml/descriptor",
                ("signing",))]
    links, outside = discover(Server(), ["cd33", "cnaf"], {"cd33"})  # type: ignore[arg-type]
    assert [(link.realm, link.kind, link.name) for link in links] == [("cnaf", "identity provider", "cd33")]
    assert outside == []


def test_published_keys_are_read_from_metadata_in_order() -> None:
    md = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
          'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><md:SPSSODescriptor>'
          '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>new</ds:KeyName></ds:KeyInfo></md:KeyDescriptor>'
          '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:KeyName>old</ds:KeyName></ds:KeyInfo></md:KeyDescriptor>'
          '<md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:KeyName>enc</ds:KeyName></ds:KeyInfo>'
          '</md:KeyDescriptor></md:SPSSODescriptor></md:EntityDescriptor>')
    assert published(md) == {"signing": ["new", "old"], "encryption": ["enc"]}


def test_neither_path_of_realms_owns_key_providers() -> None:
    """The rotation makes and removes key providers: were realms/ ever to declare them, the
    rotation would have to leave those to it (trustcircle/rotation/keys.py)."""
    assert not any("key" in kind or "component" in kind for kind in get_args(Kind))


def test_a_realm_outside_the_federation_is_refused_naming_the_ones_it_has() -> None:
    realms = [{"realm": name, "attributes": {"trustcircle.managed-by": "trustcircle", "trustcircle.federation": fed}}
              for name, fed in (("cnaf", "demo"), ("cd33", "demo"), ("hr", "other"))]
    server = type("S", (), {"get": lambda self, path: realms, "target": Server.target})()
    with pytest.raises(ConfigurationError) as refused:
        Rotation(server, "demo", ["cnaf", "hr"])
    assert "not a realm of federation 'demo' on https://kc.example: hr" in str(refused.value)
    assert refused.value.hint == "name one of: cd33, cnaf"
    assert Rotation(server, "demo").targets == ["cd33", "cnaf"]
