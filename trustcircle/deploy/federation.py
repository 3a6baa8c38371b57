"""The ``trustcircle:index:Federation`` component: every Keycloak object of the desired state.

Each object is a dynamic resource typed by its Keycloak kind (``pulumi-python:dynamic/keycloak:Client``,
``…:Group``…); the type every object had before (``pulumi-python:dynamic:Resource``) is an alias,
so a stack made then keeps its objects: nothing is replaced.
"""

from __future__ import annotations

import types
from pathlib import Path
from zoneinfo import ZoneInfo

import pulumi
from pulumi.dynamic import Resource

from trustcircle.compiler.desired import DesiredObject
from trustcircle.compiler.order import dependency_order
from trustcircle.deploy.fields import readable
from trustcircle.deploy.provider import SPEC, KeycloakObjectProvider
from trustcircle.deploy.undeclared import UndeclaredObjects
from trustcircle.keycloak.handlers import HANDLERS
from trustcircle.keycloak.ownership import RETAINED_KINDS

_PROVIDER = KeycloakObjectProvider()
# the type of every dynamic resource before they were typed by kind
UNTYPED = "pulumi-python:dynamic:Resource"


class KeycloakObject(Resource):
    """One Keycloak object, named ``<realm>/<kind>/<key>``."""

    def __init__(self, obj: DesiredObject, target: Path, url: str, zone: ZoneInfo,
                 opts: pulumi.ResourceOptions) -> None:
        props = {"kind": obj.ref.kind, "realm": obj.ref.realm, "key": obj.ref.key,
                 SPEC: obj.spec, "fields": readable(obj.spec, zone), "target": str(target), "url": url}
        was = pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=UNTYPED)], hide_diffs=[SPEC])
        super().__init__(_PROVIDER, obj.ref.name, props, pulumi.ResourceOptions.merge(opts, was))


def type_name(kind: str) -> str:
    """``identity_provider`` → ``IdentityProvider``."""
    return "".join(part.capitalize() for part in kind.split("_"))


# one class per kind, so that the type says what the object is
KINDS: dict[str, type[KeycloakObject]] = {
    kind: types.new_class(type_name(kind), (KeycloakObject,), {"module": "keycloak", "name": type_name(kind)})
    for kind in HANDLERS}


class Federation(pulumi.ComponentResource):
    """The federation's desired Keycloak state, applied object by object with explicit dependencies."""

    def __init__(self, name: str, objects: list[DesiredObject], target: Path, url: str, timezone: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:index:Federation", name, None, opts)
        created: dict[str, KeycloakObject] = {}
        zone = ZoneInfo(timezone)
        for obj in dependency_order(objects):
            deps = [created[d.name] for d in obj.depends_on if d.name in created]
            # a realm holds users and credentials trustcircle does not own: removing an organisation
            # from realms/ forgets its realm, and deleting it is an operator's explicit decision
            options = pulumi.ResourceOptions(parent=self, depends_on=deps,
                                             retain_on_delete=obj.ref.kind in RETAINED_KINDS)
            created[obj.ref.name] = KINDS[obj.ref.kind](obj, target, url, zone, options)
        # what trustcircle owns there and neither realms/ nor this stack holds (the ownership contract)
        UndeclaredObjects(name, [o.ref for o in objects], target, url,
                          pulumi.ResourceOptions(parent=self, depends_on=list(created.values()),
                                                 aliases=[pulumi.Alias(type_=UNTYPED)]))
        self.object_count = len(created)
        self.register_outputs({"objects": self.object_count,
                               "realms": sorted({o.ref.realm for o in objects})})
