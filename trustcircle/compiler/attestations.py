"""A provider's habilitation attestations as Keycloak objects (its OID4VCI issuer, feature
``oid4vc-vci``): one ``oid4vc`` client scope per credential, holding the extension's mapper,
and the wallet's public client, which may ask for those scopes. docs/attestations.md says what
an attestation carries and how it is revoked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from trustcircle import ids
from trustcircle.compiler.desired import DesiredObject, Ref
from trustcircle.model.schema import Attestations, Federation, HabilitationAttestation, Provider

# claims every verifier sees: the issuer-signed envelope, the status list entry, who and for what
VISIBLE_CLAIMS = ("id", "iat", "nbf", "exp", "jti", "status", "organisation", "service")
DECOYS = 3  # Keycloak's default (10) bloats every attestation; 0 is not honoured (it adds 5)


def credential_type(credential: HabilitationAttestation) -> str:
    return f"urn:trustcircle:habilitation:{credential.service}"


def credential_scope(provider: Provider, credential: HabilitationAttestation) -> dict[str, Any]:
    service = next(s for s in provider.services if s.id == credential.service)
    lifetime = str(credential.lifetime_hours * 3600)
    return {
        "name": credential.id,
        "description": credential.name,
        "protocol": "oid4vc",
        "attributes": {
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
            ids.SERVICE_ATTR: credential.service,
            "include.in.token.scope": "true",
            "vc.include_in_metadata": "true",
            "vc.credential_configuration_id": credential.id,
            "vc.credential_identifier": credential.id,
            "vc.format": "dc+sd-jwt",
            "vc.verifiable_credential_type": credential_type(credential),
            # Keycloak writes exp = iat + the refresh interval; the expiry is its own record's
            "vc.expiry_in_seconds": lifetime,
            "vc.refresh_interval_in_seconds": lifetime,
            "vc.credential_build_config.sd_jwt.visible_claims": ",".join(VISIBLE_CLAIMS),
            "vc.sd_jwt.number_of_decoys": str(DECOYS),
            "vc.credential_build_config.hash_algorithm": "SHA-256",
            "vc.credential_build_config.token_jws_type": "dc+sd-jwt",
            # holder binding: the wallet proves possession of the key the attestation is bound to
            "vc.cryptographic_binding_methods_supported": "jwk",
            "vc.binding_required": "true",
            "vc.binding_required_proof_types": "jwt",
            "vc.display": json.dumps([{"name": credential.name, "locale": "fr-FR"}], ensure_ascii=False),
        },
        "protocolMappers": [
            {"name": "habilitations", "protocol": "oid4vc", "protocolMapper": ids.HABILITATION_ATTESTATION_MAPPER,
             "config": {ids.ATTESTATION_SERVICE_CLIENT_CONFIG: service.client_id,
                        ids.ATTESTATION_LIFETIME_CONFIG: lifetime}},
        ],
    }


def wallet_client(attestations: Attestations) -> dict[str, Any]:
    """The wallet: a public client (PKCE) agents sign in to through their organisation, which may
    ask for the attestation scopes only (nothing else is released to it)."""
    return {
        "clientId": attestations.wallet.client_id,
        "name": "Wallet (habilitation attestations)",
        "protocol": "openid-connect",
        "enabled": True,
        "publicClient": True,
        "bearerOnly": False,
        "consentRequired": False,
        "standardFlowEnabled": True,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False,
        "frontchannelLogout": True,
        "fullScopeAllowed": False,
        "redirectUris": sorted(str(u) for u in attestations.wallet.redirect_uris),
        "webOrigins": [],
        "attributes": {
            "pkce.code.challenge.method": "S256",
            ids.WALLET_ATTR: "true",
            "oauth2.device.authorization.grant.enabled": "false",
            "oidc.ciba.grant.enabled": "false",
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
        },
        "defaultClientScopes": ["basic"],
        "optionalClientScopes": sorted(c.id for c in attestations.credentials),
        "protocolMappers": [],
    }


def attestation_objects(provider: Provider) -> Iterator[DesiredObject]:
    if provider.attestations is None:
        return
    realm = Ref("realm", provider.realm, provider.realm)
    scopes = []
    for credential in provider.attestations.credentials:
        service = next(s for s in provider.services if s.id == credential.service)
        ref = Ref("client_scope", provider.realm, credential.id)
        scopes.append(ref)
        yield DesiredObject(ref, credential_scope(provider, credential),
                            (realm, Ref("client", provider.realm, service.client_id)))
    client = wallet_client(provider.attestations)
    yield DesiredObject(Ref("client", provider.realm, client["clientId"]), client, (realm, *scopes))


def gained_by_issuing(federation: Federation, public_url: str) -> tuple[set[str], set[str]]:
    """(the objects created, the objects changed) when a target that could not issue attestations
    (a Keycloak before 26.7: the federation was applied without them) becomes one that can."""
    from dataclasses import replace

    from trustcircle.compiler.compile import compile_federation
    from trustcircle.compiler.environment import Environment

    env = Environment(public_url=public_url)
    issuing = {o.ref.name: o.spec for o in compile_federation(federation, env)}
    before = {o.ref.name: o.spec for o in compile_federation(federation, replace(env, attestations=False))}
    return set(issuing) - set(before), {name for name, spec in before.items() if issuing[name] != spec}
