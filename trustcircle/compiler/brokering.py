"""What every brokered organisation shares, whatever its protocol: the identity provider's common
settings (post-broker convention gate, no token storage, no e-mail trust) and the group mappers that
put its agents in their organisation group and their conventions' groups."""

from __future__ import annotations

import json
from typing import Any

from trustcircle import ids
from trustcircle.model.schema import BaseAttribute, Organisation

ConventionGroups = dict[str, list[str]]  # convention group path -> the organisation's groups it is for

GROUPS_ATTRIBUTE = "groups"  # the home realm asserts its agents' groups under this name
# a base attribute of the model -> its name on the access account (and, but for status and source,
# at home); status and source are worked out from the root account (ids.STATUS_ATTR, ids.SOURCE_ATTR)
KEYCLOAK_ATTRIBUTE: dict[BaseAttribute, str] = {
    "last_name": "lastName", "first_name": "firstName", "email": "email", "address_line1": "addressLine1",
    "address_line2": "addressLine2", "status": ids.STATUS_ATTR, "source_system": ids.SOURCE_ATTR,
}


def group_mapper(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "identityProviderMapper": "oidc-hardcoded-group-idp-mapper",
            "config": {"syncMode": "FORCE", "group": path}}


def _convention_mapper(provider_id: str, path: str, allowed: list[str]) -> dict[str, Any]:
    """Every agent joins the convention group, or only the members of the listed home groups.

    With sync mode FORCE the advanced mapper also removes the membership at the next login of an
    agent who left those groups at home.
    """
    name = f"convention group {path}"
    if not allowed:
        return group_mapper(name, path)
    rule = json.dumps([{"key": GROUPS_ATTRIBUTE, "value": "^(" + "|".join(sorted(allowed)) + ")$"}])
    if provider_id == "saml":
        return {"name": name, "identityProviderMapper": "saml-advanced-group-idp-mapper",
                "config": {"syncMode": "FORCE", "group": path, "attributes": rule,
                           "are.attribute.values.regex": "true"}}
    return {"name": name, "identityProviderMapper": "oidc-advanced-group-idp-mapper",
            "config": {"syncMode": "FORCE", "group": path, "claims": rule, "are.claim.values.regex": "true"}}


def _habilitations_importer(provider_id: str) -> dict[str, Any]:
    """What the organisation asserts the agent may see, kept on the brokered account for the
    extension's habilitation mapper (sync FORCE: a withdrawal at home counts at the next login)."""
    source = {"attribute.name": ids.HABILITATION_ATTRIBUTE} if provider_id == "saml" else \
        {"claim": ids.HABILITATION_ATTRIBUTE}
    kind = "saml-user-attribute-idp-mapper" if provider_id == "saml" else "oidc-user-attribute-idp-mapper"
    return {"name": "import habilitations", "identityProviderMapper": kind,
            "config": {"syncMode": "FORCE", **source, "user.attribute": ids.HOME_HABILITATIONS_ATTR}}


def consistency_config(org: Organisation) -> dict[str, str]:
    """What the consistency listener and checker read on the IdP: the attributes that flow from
    home (decided here, once, from the organisation's identities) and their quality."""
    synchronised = org.identities.synchronised_attributes()
    return {ids.CONSISTENCY_ATTRIBUTES_CONFIG: ",".join(KEYCLOAK_ATTRIBUTE[a] for a in synchronised),
            ids.CONSISTENCY_QUALITY_CONFIG: str(org.identities.quality)}


def brokered_identity_provider(org: Organisation, provider_id: str, config: dict[str, Any],
                               identity_mappers: list[dict[str, Any]],
                               convention_groups: ConventionGroups, ceiling: int | None = None) -> dict[str, Any]:
    """The IdP representation: ``config`` and ``identity_mappers`` are the protocol's own parts;
    ``ceiling``: the highest level of assurance the organisation's identities may assert (none: no limit).

    The provider opens one access account per agent of the organisation, keyed by the
    organisation and its stable identifier, and never links it to another account (the
    first-broker-login flow creates, or refuses when the name is taken)."""
    assurance = {} if ceiling is None else {ids.ASSURANCE_CEILING_CONFIG: str(ceiling)}
    return {
        "alias": org.id,
        "displayName": org.name,
        "providerId": provider_id,
        "enabled": True,
        "trustEmail": False,
        "storeToken": False,
        "linkOnly": False,
        "hideOnLogin": False,
        "firstBrokerLoginFlowAlias": ids.FIRST_BROKER_FLOW_ALIAS,
        "postBrokerLoginFlowAlias": ids.POST_BROKER_FLOW_ALIAS,
        "config": {**config, "syncMode": "FORCE", ids.ORGANISATION_ATTR: org.id, **consistency_config(org)},
        "mappers": [
            *identity_mappers,
            _habilitations_importer(provider_id),
            # the level of assurance the organisation asserted (AuthnContextClassRef, acr), for the gate
            {"name": "level of assurance", "identityProviderMapper": ids.HOME_ASSURANCE_MAPPER,
             "config": {"syncMode": "FORCE", **assurance}},
            group_mapper("organisation group", f"/{org.id}"),
            *(_convention_mapper(provider_id, path, allowed) for path, allowed in sorted(convention_groups.items())),
        ],
    }
