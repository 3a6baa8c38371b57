"""Keycloak representations of the SAML pieces: e-service clients, broker links, identity providers."""

from __future__ import annotations

from typing import Any

from trustcircle import ids
from trustcircle.compiler.brokering import GROUPS_ATTRIBUTE, ConventionGroups, brokered_identity_provider
from trustcircle.compiler.environment import STAND_IN_PLACEHOLDER, Environment
from trustcircle.model.certificates import der_base64
from trustcircle.model.schema import Organisation, Provider, SamlService, ServiceCertificate

SAML_CLIENT_CERTIFICATE = "saml.signing.certificate"
SAML_CLIENT_PRIVATE_KEY = "saml.signing.private.key"
SIGNED_SAML_CLIENT = {
    "saml.assertion.signature": "true",
    "saml.server.signature": "true",
    "saml.signature.algorithm": "RSA_SHA256",
    "saml.authnstatement": "true",
    "saml_force_name_id_format": "true",
    "saml_name_id_format": "persistent",
    "saml.force.post.binding": "true",
    "saml.encrypt": "false",
}


def _user_property_mapper(name: str, prop: str) -> dict[str, Any]:
    return {"name": name, "protocol": "saml", "protocolMapper": "saml-user-property-mapper",
            "config": {"user.attribute": prop, "attribute.name": prop,
                       "attribute.nameformat": "Basic", "friendly.name": prop}}


# AES-256-GCM for the assertion; its key transported with RSA-OAEP, SHA-256 for both OAEP's
# digest and its mask generation function.
ENCRYPTION = {
    "saml.encrypt": "true",
    "saml.encryption.algorithm": "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "saml.encryption.keyAlgorithm": "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    "saml.encryption.digestMethod": "http://www.w3.org/2001/04/xmlenc#sha256",
    "saml.encryption.maskGenerationFunction": "http://www.w3.org/2009/xmlenc11#mgf1sha256",
}


def _certificate(service: SamlService, use: str, given: ServiceCertificate, env: Environment) -> str:
    """The service's certificate for ``use`` (DER, base64) as Keycloak's client attributes hold it."""
    if given.certificate is not None:
        return der_base64(given.certificate)
    pem = env.stand_in_certificates.get(service.id, {}).get(use)
    return der_base64(pem) if pem else STAND_IN_PLACEHOLDER


def _encryption(service: SamlService, env: Environment) -> dict[str, str]:
    if service.encryption is None:
        return {}
    return {**ENCRYPTION, "saml.encryption.certificate": _certificate(service, "encryption", service.encryption, env)}


def _request_signatures(service: SamlService, env: Environment) -> dict[str, str]:
    """Keycloak checks the service's requests (AuthnRequest, LogoutRequest) against its certificate."""
    if service.signing is None:
        return {"saml.client.signature": "false"}
    return {"saml.client.signature": "true",
            "saml.signing.certificate": _certificate(service, "signing", service.signing, env)}


def service_client(service: SamlService, env: Environment) -> dict[str, Any]:
    """The e-service as a SAML client of the provider realm; its client roles are the rubriques."""
    acs = str(service.acs_url)
    return {
        "clientId": service.entity_id,
        "name": service.name,
        "protocol": "saml",
        "enabled": True,
        "publicClient": False,
        "frontchannelLogout": True,
        "fullScopeAllowed": False,
        "redirectUris": [acs],
        "attributes": {
            **SIGNED_SAML_CLIENT,
            **_request_signatures(service, env),
            "saml_assertion_consumer_url_post": acs,
            # the assertion's OneTimeUse condition: the e-service must not cache it for reuse
            # (kcwarden: SamlClientWithoutOneTimeUseCondition)
            "saml.onetimeuse.condition": "true",
            **({"saml_single_logout_service_url_post": str(service.slo_url)} if service.slo_url else {}),
            **_encryption(service, env),
            ids.SERVICE_ATTR: service.id,
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
        },
        "defaultClientScopes": [],
        "optionalClientScopes": [],
        "protocolMappers": [
            # the agent's name and e-mail as their organisation says (they change: the NameID is the key)
            _user_property_mapper("email", "email"),
            _user_property_mapper("firstName", "firstName"),
            _user_property_mapper("lastName", "lastName"),
            # the extension's mapper: the rubriques of the agent's conventions valid now, intersected
            # with what the agent's organisation asserted (never more than the convention allows)
            {"name": ids.HABILITATION_ATTRIBUTE, "protocol": "saml", "protocolMapper": ids.SAML_HABILITATION_MAPPER,
             "config": {"attribute.name": ids.HABILITATION_ATTRIBUTE, "attribute.nameformat": "Basic",
                        "friendly.name": ids.HABILITATION_ATTRIBUTE}},
        ],
        "roles": sorted(r.id for r in service.rubriques),
    }


def broker_client(provider: Provider, org: Organisation, env: Environment) -> dict[str, Any]:
    """In the organisation's realm: the provider realm's broker, as a SAML service provider."""
    assert org.realm is not None
    endpoint = f"{env.realm_url(provider.realm)}/broker/{org.id}/endpoint"
    # The provider's SP metadata for this link (signed): the organisation's realm takes from it the
    # key that signs the provider's AuthnRequests and the key its assertions are encrypted to, and
    # refreshes them when the provider's realm keys rotate; nothing to copy between realms.
    metadata = f"{endpoint}/descriptor"
    return {
        "clientId": env.realm_url(provider.realm),
        "name": f"{provider.name} (identity broker)",
        "protocol": "saml",
        "enabled": True,
        "publicClient": False,
        "frontchannelLogout": True,
        "fullScopeAllowed": False,
        # the broker's assertion consumer exactly: no wildcard (no IdP-initiated login either)
        "redirectUris": [endpoint],
        "attributes": {
            **SIGNED_SAML_CLIENT,
            "saml.client.signature": "true",
            "saml.useMetadataDescriptorUrl": "true",
            "saml.metadataDescriptorUrl": metadata,
            # Keycloak gives a new SAML client that must sign a key pair of its own when no certificate
            # is set; this client's keys come from the provider's metadata, so such a pair is never
            # used and would only put a private key into every export: wanted empty (Keycloak then drops them)
            SAML_CLIENT_CERTIFICATE: "",
            SAML_CLIENT_PRIVATE_KEY: "",
            **ENCRYPTION,
            "saml.onetimeuse.condition": "true",
            "saml_assertion_consumer_url_post": endpoint,
            "saml_single_logout_service_url_post": endpoint,
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
        },
        "defaultClientScopes": [],
        "optionalClientScopes": [],
        "protocolMappers": [
            _user_property_mapper("email", "email"),
            _user_property_mapper("firstName", "firstName"),
            _user_property_mapper("lastName", "lastName"),
            # the habilitations the organisation granted the agent (user or group attribute)
            {"name": ids.HABILITATION_ATTRIBUTE, "protocol": "saml", "protocolMapper": "saml-user-attribute-mapper",
             "config": {"user.attribute": ids.HABILITATION_ATTRIBUTE, "attribute.name": ids.HABILITATION_ATTRIBUTE,
                        "attribute.nameformat": "Basic", "friendly.name": ids.HABILITATION_ATTRIBUTE,
                        "aggregate.attrs": "true"}},
            {"name": GROUPS_ATTRIBUTE, "protocol": "saml", "protocolMapper": "saml-group-membership-mapper",
             "config": {"attribute.name": GROUPS_ATTRIBUTE, "attribute.nameformat": "Basic",
                        "friendly.name": GROUPS_ATTRIBUTE, "full.path": "false", "single": "false"}},
        ],
        "roles": [],
    }


def _attribute_importer(attr: str) -> dict[str, Any]:
    return {"name": f"import {attr}", "identityProviderMapper": "saml-user-attribute-idp-mapper",
            "config": {"syncMode": "FORCE", "attribute.name": attr, "user.attribute": attr}}


def identity_provider(provider: Provider, org: Organisation, env: Environment,
                      convention_groups: ConventionGroups, ceiling: int | None = None) -> dict[str, Any]:
    """In the provider realm: the organisation's realm, brokered over SAML 2.0 (signed assertions).

    Every agent brokered from the organisation joins its organisation group and the group of each of
    its conventions' membership forms; the convention gate then checks those conventions' validity.
    """
    auth = org.authentication
    if auth.type == "oidc":
        raise ValueError(f"{org.id} authenticates with OpenID Connect: use oidc_identity_provider")
    if auth.type == "saml":
        idp_entity, metadata = auth.entity_id, str(auth.metadata_url)
        endpoints = {"singleSignOnServiceUrl": str(auth.sso_url),
                     **({"singleLogoutServiceUrl": str(auth.slo_url)} if auth.slo_url else {})}
    else:
        assert org.realm is not None
        idp_entity = env.realm_url(org.realm)
        sso, metadata = f"{idp_entity}/protocol/saml", f"{idp_entity}/protocol/saml/descriptor"
        endpoints = {"singleSignOnServiceUrl": sso, "singleLogoutServiceUrl": sso}
    # Assertions come encrypted to the provider's key (published in the SP metadata of the link):
    # an organisation's realm reads it there (its broker client); an organisation's own IdP too,
    # unless its file says its software cannot (``encrypted_assertions: false``).
    encrypted = auth.type == "keycloak" or (auth.type == "saml" and auth.encrypted_assertions)
    config = {
        "entityId": env.realm_url(provider.realm),
        "idpEntityId": idp_entity,
        **endpoints,
        "metadataDescriptorUrl": metadata,
        "useMetadataDescriptorUrl": "true",
        "nameIDPolicyFormat": ids.SAML_PERSISTENT,
        "principalType": "SUBJECT",
        "postBindingResponse": "true",
        "postBindingAuthnRequest": "true",
        "postBindingLogout": "true",
        "wantAssertionsSigned": "true",
        # the provider signs its AuthnRequests (RSA-SHA256, the realm's key, published in the SP
        # metadata): the organisation knows the request, and its RequestedAuthnContext, is the provider's
        "wantAuthnRequestsSigned": "true",
        "wantAssertionsEncrypted": "true" if encrypted else "false",
        "encryptionAlgorithm": "RSA-OAEP",
        "validateSignature": "true",
        "signatureAlgorithm": "RSA_SHA256",
        "allowedClockSkew": "30",
        "signSpMetadata": "true",  # the organisation can check the provider's SP metadata it imports
    }
    identity = [
        # The e-mail is never the key: the username at the provider is derived from the
        # home realm's persistent NameID.
        {"name": "username from persistent NameID", "identityProviderMapper": "saml-username-idp-mapper",
         "config": {"syncMode": "FORCE", "template": "${ALIAS}.${NAMEID}", "target": "LOCAL"}},
        _attribute_importer("email"),
        _attribute_importer("firstName"),
        _attribute_importer("lastName"),
    ]
    return brokered_identity_provider(org, "saml", config, identity, convention_groups, ceiling)
