"""Keycloak representations of what a provider offers over OAuth 2.0 / OpenID Connect: e-services
that are OIDC clients, and web-service APIs as client scopes carrying the API's audience."""

from __future__ import annotations

from typing import Any

from trustcircle import ids
from trustcircle.model.schema import Application, Convention, MembershipForm, OidcService, Provider, WebServiceApi

# Scopes of every new realm: `basic` gives the subject, `acr` the level of assurance reached.
OIDC_SERVICE_SCOPES = ["acr", "basic", "email", "profile"]


# the extension's mapper: the rubriques of the agent's conventions valid now, as the `habilitation` claim
HABILITATION_CLAIM = {
    "name": ids.HABILITATION_ATTRIBUTE, "protocol": "openid-connect", "protocolMapper": ids.OIDC_HABILITATION_MAPPER,
    "config": {"claim.name": ids.HABILITATION_ATTRIBUTE, "jsonType.label": "String", "multivalued": "true",
               "id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true",
               "introspection.token.claim": "true"}}


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
            HABILITATION_CLAIM,
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


APPLICATION_CLIENT_PREFIX = "urn:trustcircle:app:"


def application_client_id(organisation: str, application: str) -> str:
    return f"{APPLICATION_CLIENT_PREFIX}{organisation}:{application}"


def application_client(provider: Provider, conv: Convention, form: MembershipForm, app: Application,
                       valid_from: str, valid_until: str) -> dict[str, Any]:
    """A partner's application as a confidential client of the provider realm: client credentials
    only, authenticated by its certificate (mutual TLS, RFC 8705: Keycloak's ``client-x509``), never a
    shared secret; its access tokens bound to that certificate (``cnf.x5t#S256``); the scopes it may
    request are the API's rubriques the form grants it, each putting the API's audience in the token."""
    api = next(a for a in provider.apis if a.id == app.api)
    service = next(s for s in provider.services if s.id == form.service)
    agents = app.on_behalf_of
    on_behalf: dict[str, Any] = {} if agents is None else {
        # the agent signs in through the provider: the convention gate applies to this client as to
        # the service, and the habilitation mapper releases the service's rubriques the convention grants
        "pkce.code.challenge.method": "S256",
        ids.SERVICE_ATTR: form.service,
        ids.SERVICE_CLIENT_ATTR: service.client_id,
    }
    return {
        "clientId": application_client_id(conv.organisation, app.id),
        "name": f"{app.name} ({conv.organisation})",
        "protocol": "openid-connect",
        "enabled": True,
        "publicClient": False,
        "bearerOnly": False,
        "consentRequired": False,
        "clientAuthenticatorType": "client-x509",
        "standardFlowEnabled": agents is not None,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True,
        "frontchannelLogout": False,
        "fullScopeAllowed": False,
        "redirectUris": sorted(str(u) for u in agents.redirect_uris) if agents else [],
        "webOrigins": [],
        "attributes": {
            **on_behalf,
            "x509.subjectdn": app.mtls.subject,
            "x509.allow.regex.pattern.comparison": "false",
            "tls.client.certificate.bound.access.tokens": "true",
            "oauth2.device.authorization.grant.enabled": "false",
            "oidc.ciba.grant.enabled": "false",
            "use.refresh.tokens": "false",
            ids.ORGANISATION_ATTR: conv.organisation,
            ids.CONVENTION_ID_ATTR: conv.id,
            ids.CONVENTION_SERVICE_ATTR: form.service,
            ids.CONVENTION_STATUS_ATTR: conv.status,
            ids.CONVENTION_VALID_FROM_ATTR: valid_from,
            ids.CONVENTION_VALID_UNTIL_ATTR: valid_until,
            "trustcircle.api": api.id,
            ids.MANAGED_BY_ATTR: ids.MANAGED_BY,
        },
        # Keycloak gives every service-account client its "service_account" scope (and adds it back
        # on each update): named here, or every update would look like drift
        "defaultClientScopes": ["basic", "service_account"],
        "optionalClientScopes": sorted(api_scope_name(api, scope) for scope in app.scopes),
        "protocolMappers": [HABILITATION_CLAIM] if agents else [],
    }


APPLICATIONS_PROFILE = "trustcircle-applications"


def application_client_policies() -> dict[str, Any]:
    """A provider realm's client policies: every token request of a client carrying a convention
    (a partner's application) passes the extension's executor, which refuses it outside the
    convention's dates (no re-apply needed when a convention ends)."""
    return {
        "clientProfiles": {"profiles": [{
            "name": APPLICATIONS_PROFILE,
            "description": "Partners' applications get tokens only while their convention is in force.",
            "executors": [{"executor": ids.CONVENTION_WINDOW_EXECUTOR, "configuration": {}}]}]},
        "clientPolicies": {"policies": [{
            "name": "trustcircle: applications within their convention",
            "description": ids.MANAGED_BY_MARKER,
            "enabled": True,
            "conditions": [{"condition": "any-client", "configuration": {}}],
            "profiles": [APPLICATIONS_PROFILE]}]},
    }
