"""The federation's model: settings and doctrine, providers and their services, organisations,
conventions and their amendments.

Pydantic models are the one source of truth: the loader validates ``realms/`` against them and the
JSON Schema editors use is generated from them. Identifiers are lower-case slugs, stable forever:
they name Keycloak realms, clients, groups and identity providers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, HttpUrl

from trustcircle.model.base import Slug, Strict
from trustcircle.model.policies import Policies, PolicyOverride

OrganisationKind = Literal["national_body", "local_fund", "partner"]
Person = Annotated[str, Field(min_length=3, description="a person's identifier, e.g. their e-mail address")]


def _partners_only() -> list[OrganisationKind]:
    return ["partner"]


class LevelOfAssurance(Strict):
    """A level of assurance of an authentication, requested by services through an ACR value."""

    id: Slug
    name: str
    acr: str = Field(description="the authentication context class reference sent in SAML and OIDC")
    factors: int = Field(ge=1, le=3, description="number of authentication factors required")


class DoctrineProfile(Strict):
    """An access profile of the doctrine: the rubriques of each service this profile may receive."""

    id: str = Field(pattern=r"^T[0-9]{1,2}$", description="profile code, e.g. T5")
    name: str
    organisation_kinds: list[OrganisationKind] = Field(
        default_factory=_partners_only, description="kinds of organisation that may hold this profile")
    services: dict[Slug, list[Slug]] = Field(description="service id → rubriques this profile may receive")


class FederationSettings(Strict):
    """The federation as a whole: identity, default policies, levels of assurance, doctrine."""

    id: Slug
    name: str
    timezone: str = Field("Europe/Paris", description="time zone in which convention dates are read")
    policies: Policies = Policies()
    levels_of_assurance: list[LevelOfAssurance] = Field(default_factory=list)
    doctrine: list[DoctrineProfile] = Field(default_factory=list)


class Rubrique(Strict):
    """A data section of an e-service (e.g. Dossier, Droits, RSA)."""

    id: Slug
    name: str


class SamlService(Strict):
    """An e-service reached by SAML 2.0 web SSO; it is a SAML client of the provider realm."""

    id: Slug
    name: str
    protocol: Literal["saml"]
    entity_id: str = Field(min_length=3, description="the service provider's SAML entity id")
    acs_url: HttpUrl = Field(description="assertion consumer service URL (HTTP-POST binding)")
    slo_url: HttpUrl | None = Field(None, description="single logout service URL (HTTP-POST binding), if any")
    level_of_assurance: Slug | None = Field(None, description="minimum level of assurance (id)")
    rubriques: list[Rubrique] = Field(min_length=1)

    @property
    def client_id(self) -> str:
        """The Keycloak client standing for the service: its entity id."""
        return self.entity_id


class OidcService(Strict):
    """An e-service reached by OpenID Connect (authorization code with PKCE); it is a confidential
    client of the provider realm that authenticates with a signed JWT (private_key_jwt): its public
    keys are read at ``jwks_url``, so no shared secret exists."""

    id: Slug
    name: str
    protocol: Literal["oidc"]
    client_id: str = Field(min_length=3, pattern=r"^[\x21-\x7e]+$", description="the OAuth 2.0 client id")
    redirect_uris: list[HttpUrl] = Field(min_length=1, description="exact redirect URIs (no wildcards)")
    post_logout_redirect_uris: list[HttpUrl] = Field(default_factory=list)
    jwks_url: HttpUrl = Field(description="where the service publishes the public keys of its client assertions")
    level_of_assurance: Slug | None = Field(None, description="minimum level of assurance (id)")
    rubriques: list[Rubrique] = Field(min_length=1)


Service = Annotated[SamlService | OidcService, Field(discriminator="protocol")]


class WebServiceApi(Strict):
    """A provider's data API, called by partners' applications with OAuth 2.0."""

    id: Slug
    name: str
    audience: str = Field(min_length=3, description="the value access tokens must carry in `aud`")
    scopes: list[Slug] = Field(min_length=1, description="the rubriques the API serves, one OAuth 2.0 scope each "
                                                        "(requested as `<api id>:<rubrique>`)")


class Provider(Strict):
    """An organisation that provides e-services from its own provider realm."""

    id: Slug
    name: str
    realm: Slug
    services: list[Service] = Field(min_length=1)
    apis: list[WebServiceApi] = Field(default_factory=list)


class KeycloakAuthentication(Strict):
    """The organisation's agents are users of its own Keycloak realm (its trust area)."""

    type: Literal["keycloak"]


class SamlAuthentication(Strict):
    """The organisation runs its own SAML 2.0 identity provider, described by its metadata."""

    type: Literal["saml"]
    entity_id: str = Field(min_length=3)
    metadata_url: HttpUrl = Field(description="where its signing keys are read (and re-read when they rotate)")
    sso_url: HttpUrl = Field(description="its single sign-on endpoint (HTTP-POST binding)")
    slo_url: HttpUrl | None = Field(None, description="its single logout endpoint, if it has one")


class OidcAuthentication(Strict):
    """The organisation runs its own OpenID Connect provider. The provider realm authenticates to it
    with a signed JWT (private_key_jwt, keys published at the realm's JWKS URL): no shared secret."""

    type: Literal["oidc"]
    issuer: HttpUrl
    authorization_url: HttpUrl
    token_url: HttpUrl
    jwks_url: HttpUrl
    logout_url: HttpUrl | None = None
    client_id: str = Field(min_length=1, description="the provider realm's client id at the organisation's OP")


class Group(Strict):
    """A group of the organisation's agents; the organisation grants habilitations to groups."""

    id: Slug
    name: str


class Organisation(Strict):
    """A consumer organisation: its agents authenticate at home and reach providers' services."""

    id: Slug
    name: str
    kind: OrganisationKind
    category: str | None = Field(None, description="e.g. departmental council, hospital social service")
    parent: Slug | None = Field(None, description="for a partner: the local fund that manages its conventions")
    realm: Slug | None = Field(None, description="its own Keycloak realm (required with keycloak authentication)")
    authentication: KeycloakAuthentication | SamlAuthentication | OidcAuthentication = Field(discriminator="type")
    administrators: list[Person] = Field(default_factory=list)
    habilitation_managers: list[Person] = Field(default_factory=list)
    verifiers: list[Person] = Field(default_factory=list, description="for a local fund: who verifies conventions")
    groups: list[Group] = Field(default_factory=list)
    policies: PolicyOverride = Field(PolicyOverride(), description="settings tighter than the federation's")


class MembershipForm(Strict):
    """Bulletin d'adhésion: the part of a convention that covers one service."""

    service: Slug
    profile: str = Field(description="access profile of the doctrine, e.g. T5")
    rubriques: list[Slug] = Field(min_length=1)
    groups: list[Slug] = Field(default_factory=list, description="the organisation's groups that get this access")
    valid_from: dt.date
    valid_until: dt.date = Field(description="last day of validity (inclusive)")


class Amendment(Strict):
    """The convention's content as of one amendment (avenant); effective only once verified."""

    number: int = Field(ge=0, description="0 for the original convention, then 1, 2, …")
    prepared_by: Person
    prepared_on: dt.date
    verified_by: Person | None = None
    verified_on: dt.date | None = None
    forms: list[MembershipForm] = Field(min_length=1)


class Convention(Strict):
    """An access agreement between an organisation and a provider, entered by a local fund."""

    id: str = Field(pattern=r"^[A-Z]{2,6}-[0-9]{4}-[0-9]{3,6}$", description="e.g. CNV-2026-0001")
    organisation: Slug
    provider: Slug
    managed_by: Slug = Field(description="the local fund that entered the convention")
    status: Literal["draft", "verified", "rejected", "terminated"]
    terminated_on: dt.date | None = None
    amendments: list[Amendment] = Field(min_length=1)

    def effective(self) -> Amendment | None:
        """The amendment in force: the latest verified one (none unless the convention is verified)."""
        if self.status != "verified":
            return None
        verified = [a for a in self.amendments if a.verified_by]
        return max(verified, key=lambda a: a.number) if verified else None


class Federation(Strict):
    """Everything under ``realms/``."""

    settings: FederationSettings
    providers: tuple[Provider, ...]
    organisations: tuple[Organisation, ...]
    conventions: tuple[Convention, ...]

    def provider(self, provider_id: str) -> Provider:
        return next(p for p in self.providers if p.id == provider_id)

    def organisation(self, organisation_id: str) -> Organisation:
        return next(o for o in self.organisations if o.id == organisation_id)
