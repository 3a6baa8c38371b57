"""Keycloak representation of an organisation's own OpenID Connect provider, brokered by the
provider realm (authorization code with PKCE, private_key_jwt client authentication)."""

from __future__ import annotations

from typing import Any

from trustcircle.compiler.brokering import ConventionGroups, brokered_identity_provider
from trustcircle.model.schema import OidcAuthentication, Organisation


def _claim_importer(claim: str, attribute: str) -> dict[str, Any]:
    return {"name": f"import {attribute}", "identityProviderMapper": "oidc-user-attribute-idp-mapper",
            "config": {"syncMode": "FORCE", "claim": claim, "user.attribute": attribute}}


def oidc_identity_provider(org: Organisation, auth: OidcAuthentication,
                           convention_groups: ConventionGroups, ceiling: int | None = None) -> dict[str, Any]:
    logout = {"logoutUrl": str(auth.logout_url), "backchannelSupported": "false"} if auth.logout_url else {}
    config = {
        "issuer": str(auth.issuer).rstrip("/"),
        "authorizationUrl": str(auth.authorization_url),
        "tokenUrl": str(auth.token_url),
        "jwksUrl": str(auth.jwks_url),
        "useJwksUrl": "true",
        "validateSignature": "true",
        "clientId": auth.client_id,
        "clientAuthMethod": "private_key_jwt",
        "clientAssertionSigningAlg": "RS256",
        "pkceEnabled": "true",
        "pkceMethod": "S256",
        "defaultScope": "openid profile email",
        **logout,
    }
    identity = [
        # the subject of the organisation's OP is the stable key, never the e-mail
        {"name": "username from subject", "identityProviderMapper": "oidc-username-idp-mapper",
         "config": {"syncMode": "FORCE", "template": "${ALIAS}.${CLAIM.sub}", "target": "LOCAL"}},
        _claim_importer("email", "email"),
        _claim_importer("given_name", "firstName"),
        _claim_importer("family_name", "lastName"),
    ]
    return brokered_identity_provider(org, "oidc", config, identity, convention_groups, ceiling)
