"""The federation's model: providers and their services, organisations, conventions.

Pydantic models are the one source of truth: the loader validates ``realms/`` against them and
the JSON Schema editors use is generated from them. Identifiers are lower-case slugs, stable
forever: they name Keycloak realms, clients, groups and identity providers.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,40}$", description="stable lower-case identifier")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FederationSettings(Strict):
    """The federation as a whole."""

    id: Slug
    name: str
    timezone: str = Field("Europe/Paris", description="time zone in which convention dates are read")


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
    rubriques: list[Rubrique] = Field(min_length=1)


class Provider(Strict):
    """An organisation that provides e-services from its own provider realm."""

    id: Slug
    name: str
    realm: Slug
    services: list[SamlService] = Field(min_length=1)


class KeycloakAuthentication(Strict):
    """The organisation's agents are users of its own Keycloak realm (its trust area)."""

    type: Literal["keycloak"]


class Organisation(Strict):
    """A consumer organisation: its agents authenticate at home and reach providers' services."""

    id: Slug
    name: str
    kind: Literal["national_body", "local_fund", "partner"]
    realm: Slug
    authentication: KeycloakAuthentication


class MembershipForm(Strict):
    """Bulletin d'adhésion: the part of a convention that covers one service."""

    service: Slug
    profile: str = Field(description="access profile of the doctrine, e.g. T5")
    rubriques: list[Slug] = Field(min_length=1)
    valid_from: dt.date
    valid_until: dt.date = Field(description="last day of validity (inclusive)")


class Convention(Strict):
    """An access agreement between an organisation and a provider."""

    id: str = Field(pattern=r"^[A-Z]{2,6}-[0-9]{4}-[0-9]{3,6}$", description="e.g. CNV-2026-0001")
    organisation: Slug
    provider: Slug
    amendment: int = Field(0, ge=0)
    status: Literal["draft", "verified", "rejected", "terminated"]
    prepared_by: str
    verified_by: str | None = None
    forms: list[MembershipForm] = Field(min_length=1)


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
