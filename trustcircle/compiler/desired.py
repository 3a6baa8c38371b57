"""The desired Keycloak state: a list of objects, each addressed by kind, realm and natural key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["realm", "user_profile", "default_roles", "client_scope", "client", "group", "identity_provider",
               "flow", "admin_permission"]


@dataclass(frozen=True)
class Ref:
    kind: Kind
    realm: str
    key: str

    @property
    def name(self) -> str:
        """Stable resource name, e.g. ``cnaf/client/urn:trustcircle:sp:cdap``."""
        return f"{self.realm}/{self.kind}/{self.key}"

    @classmethod
    def of_name(cls, name: str) -> Ref:
        """The reference a :attr:`name` stands for (realms and kinds hold no ``/``; keys may)."""
        realm, kind, key = name.split("/", 2)
        return cls(kind, realm, key)  # type: ignore[arg-type]


@dataclass(frozen=True)
class DesiredObject:
    """One Keycloak object in the representation the admin API accepts (managed fields only)."""

    ref: Ref
    spec: dict[str, Any]
    depends_on: tuple[Ref, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.ref.name, "kind": self.ref.kind, "realm": self.ref.realm, "key": self.ref.key,
                "spec": self.spec, "depends_on": [d.name for d in self.depends_on]}

    def canonical(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
