"""The ``trustcircle:index:Federation`` component: every Keycloak object of the desired state."""

from __future__ import annotations

from pathlib import Path

import pulumi
from pulumi.dynamic import Resource

from trustcircle.compiler.desired import DesiredObject
from trustcircle.compiler.order import dependency_order
from trustcircle.deploy.provider import KeycloakObjectProvider
from trustcircle.deploy.undeclared import UndeclaredObjects
from trustcircle.keycloak.ownership import RETAINED_KINDS

_PROVIDER = KeycloakObjectProvider()


class KeycloakObject(Resource):
    """One Keycloak object, named ``<realm>/<kind>/<key>``."""

    def __init__(self, obj: DesiredObject, target: Path, url: str, opts: pulumi.ResourceOptions) -> None:
        props = {"kind": obj.ref.kind, "realm": obj.ref.realm, "key": obj.ref.key,
                 "spec": obj.spec, "target": str(target), "url": url}
        super().__init__(_PROVIDER, obj.ref.name, props, opts)


class Federation(pulumi.ComponentResource):
    """The federation's desired Keycloak state, applied object by object with explicit dependencies."""

    def __init__(self, name: str, objects: list[DesiredObject], target: Path, url: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("trustcircle:index:Federation", name, None, opts)
        created: dict[str, KeycloakObject] = {}
        for obj in dependency_order(objects):
            deps = [created[d.name] for d in obj.depends_on if d.name in created]
            # a realm holds users and credentials trustcircle does not own: removing an organisation
            # from realms/ forgets its realm, and deleting it is an operator's explicit decision
            options = pulumi.ResourceOptions(parent=self, depends_on=deps,
                                             retain_on_delete=obj.ref.kind in RETAINED_KINDS)
            created[obj.ref.name] = KeycloakObject(obj, target, url, options)
        # what trustcircle owns there and neither realms/ nor this stack holds (the ownership contract)
        UndeclaredObjects(name, [o.ref for o in objects], target, url,
                          pulumi.ResourceOptions(parent=self, depends_on=list(created.values())))
        self.object_count = len(created)
        self.register_outputs({"objects": self.object_count,
                               "realms": sorted({o.ref.realm for o in objects})})
