"""Keycloak representations of what a provider offers over OAuth 2.0 / OpenID Connect: e-services
that are OIDC clients, and web-service APIs as client scopes carrying the API's audience."""

from __future__ import annotations

from typing import Any

from trustcircle.compiler import ids
from trustcircle.model.schema import OidcService, Provider, WebServiceApi

# Scopes of every new realm: `basic` gives the subject, `acr` the level of assurance reached.
OIDC_SERVICE_SCOPES = ["acr", "basic", "email", "profile"]


def oidc_service_client(service: OidcService) -> dict[str, Any]:
    """The e-service as a confidential OIDC client: authorization code with PKCE only, client
    authentication by signed JWT against the service's published keys, rubriques as client roles
    released in the ``habilitation`` claim by the extension's mapper."""
    return {
        "clientId": service.client_id,
        "name": service.name,
        "protocol": "openid-connect",
        "enabled": True,
        "publicClient": False,
        "bearerOnly": False,
        "consentRequired": False,
        "clientAuthenticatorType": "client-jwt",
        "standardFlowEnabled": True,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False,
        "frontchannelLogout": True,
        "fullScopeAllowed": False,
        "redirectUris": sorted(str(u) for u in service.redirect_uris),
        "webOrigins": [],
        "attributes": {
            "pkce.code.challenge.method": "S256",
            "use.jwks.url": "true",
            "jwks.url": str(service.jwks_url),
            "token.endpoint.auth.signing.alg": "RS256",
            "post.logout.redirect.uris": "##".join(sorted(str(u) for u in service.post_logout_redirect_uris)),
            "oauth2.device.authorization.grant.enabled": "false",
            "oidc.ciba.grant.enabled": "false",
            ids.SERVICE_ATTR: service.id,
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
        },
        "defaultClientScopes": OIDC_SERVICE_SCOPES,
        "optionalClientScopes": [],
        "protocolMappers": [
            {"name": ids.HABILITATION_ATTRIBUTE, "protocol": "openid-connect",
             "protocolMapper": ids.OIDC_HABILITATION_MAPPER,
             "config": {"claim.name": ids.HABILITATION_ATTRIBUTE, "jsonType.label": "String", "multivalued": "true",
                        "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
                        "introspection.token.claim": "true"}},
        ],
        "roles": sorted(r.id for r in service.rubriques),
    }


def api_scope_name(api: WebServiceApi, rubrique: str) -> str:
    """The OAuth 2.0 scope an application requests for one rubrique of an API."""
    return f"{api.id}:{rubrique}"


def api_client_scopes(provider: Provider) -> list[tuple[str, dict[str, Any]]]:
    """One client scope per API rubrique; each puts the API's audience in the access token."""
    names = {r.id: r.name for s in provider.services for r in s.rubriques}
    return [(api_scope_name(api, scope), {
        "name": api_scope_name(api, scope),
        "description": f"{api.name}: {names.get(scope, scope)}",
        "protocol": "openid-connect",
        "attributes": {"include.in.token.scope": "true", "display.on.consent.screen": "false",
                       ids.MANAGED_BY_ATTR: ids.MANAGED_BY, "trustcircle.api": api.id, "trustcircle.rubrique": scope},
        "protocolMappers": [
            {"name": "audience", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
             "config": {"included.custom.audience": api.audience, "access.token.claim": "true",
                        "id.token.claim": "false", "introspection.token.claim": "true"}},
        ],
    }) for api in provider.apis for scope in api.scopes]
