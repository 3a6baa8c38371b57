"""The federation without the trustcircle extension, for as long as a benchmark measures it, then
put back as deployed: what ``./run bench-extension`` and ``./run bench-load`` compare against.

"Without" means: the provider's identity provider for the organisation runs no post-broker flow
(no convention gate, no session limiter) and the e-service's habilitation mapper is replaced by
Keycloak's own role-list mapper (same attribute name, so the e-service's checks stay the same).
It is set through the admin API; putting it back is a converge of the desired state, checked by a
dry run that must find nothing left to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from trustcircle import ids
from trustcircle.keycloak.admin import Admin, q
from trustcircle.keycloak.apply import converge
from trustcircle.keycloak.client import find_client
from trustcircle.model.schema import SamlService
from trustcircle.pipeline import DesiredState
from trustcircle.target import Target


def switch_off(admin: Admin, service: SamlService, provider_realm: str = "cnaf", idp_alias: str = "cd33") -> None:
    """The extension out of ``idp_alias``'s logins to ``service`` (see the module's docstring)."""
    path = f"/{q(provider_realm)}/identity-provider/instances/{q(idp_alias)}"
    admin.put(path, {**admin.get(path), "postBrokerLoginFlowAlias": ""})
    client = find_client(admin, provider_realm, service.entity_id)
    assert client is not None, f"{service.entity_id} is not a client of {provider_realm}"
    base = f"/{q(provider_realm)}/clients/{client['id']}/protocol-mappers/models"
    for mapper in admin.get(base):
        if mapper["protocolMapper"] == ids.SAML_HABILITATION_MAPPER:
            admin.put(f"{base}/{mapper['id']}", {**mapper, "protocolMapper": "saml-role-list-mapper",
                                                 "config": {**mapper["config"], "single": "false"}})


def put_back(admin: Admin, state: DesiredState) -> None:
    """The federation as deployed again (a converge of the desired state)."""
    converge(admin, state.objects, state.federation)


def assert_as_deployed(target: Target, state: DesiredState, message: str) -> None:
    """Nothing differs between the target and the desired state (a dry-run converge)."""
    assert converge(Admin(target, realm_views=True), state.objects, state.federation, dry_run=True) == [], message


@contextmanager
def extension_off(admin: Admin, service: SamlService, state: DesiredState, provider_realm: str = "cnaf",
                  idp_alias: str = "cd33") -> Iterator[None]:
    """The extension switched off inside the block, the federation put back after it (also on error)."""
    switch_off(admin, service, provider_realm, idp_alias)
    try:
        yield
    finally:
        put_back(admin, state)
