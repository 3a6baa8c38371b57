"""What every brokered organisation shares, whatever its protocol: the identity provider's common
settings (post-broker convention gate, no token storage, no e-mail trust) and the group mappers that
put its agents in their organisation group and their conventions' groups."""

from __future__ import annotations

from typing import Any

from trustcircle.compiler import ids
from trustcircle.model.schema import Organisation


def group_mapper(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "identityProviderMapper": "oidc-hardcoded-group-idp-mapper",
            "config": {"syncMode": "FORCE", "group": path}}


def brokered_identity_provider(org: Organisation, provider_id: str, config: dict[str, Any],
                               identity_mappers: list[dict[str, Any]], convention_groups: list[str]) -> dict[str, Any]:
    """The IdP representation: ``config`` and ``identity_mappers`` are the protocol's own parts."""
    return {
        "alias": org.id,
        "displayName": org.name,
        "providerId": provider_id,
        "enabled": True,
        "trustEmail": False,
        "storeToken": False,
        "linkOnly": False,
        "hideOnLogin": False,
        "postBrokerLoginFlowAlias": ids.POST_BROKER_FLOW_ALIAS,
        "config": {**config, "syncMode": "FORCE", ids.ORGANISATION_ATTR: org.id},
        "mappers": [
            *identity_mappers,
            group_mapper("organisation group", f"/{org.id}"),
            *(group_mapper(f"convention group {path}", path) for path in sorted(convention_groups)),
        ],
    }
