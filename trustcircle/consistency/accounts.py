"""Root and access accounts as the checker reads them: through the admin API, a page at a time.

An access account is the provider realm's user linked to the organisation's identity provider
(alias = the organisation's id) under the persistent NameID the organisation's realm gave the
provider; its username is ``<alias>.<NameID>`` (the IdP's username mapper), which the checker
reads instead of one more call per account. Only organisations whose realm is on the same server
have root accounts to read; an organisation's own identity provider is followed at each sign-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from trustcircle import ids
from trustcircle.consistency.rules import ATTRIBUTES, NAMES, Access, Home, source_of, status_of
from trustcircle.keycloak.admin import Admin, q

PAGE = 1000  # users a page: a bounded answer, and memory bounded by one organisation's root accounts


@dataclass(frozen=True)
class Link:
    """A provider realm's identity provider for an organisation whose realm is on this server."""

    provider: str
    organisation: str
    home_realm: str
    synchronised: tuple[str, ...]
    quality: int

    def rule(self) -> str:
        kind = "verified" if self.quality >= 50 else "unverified"
        what = ("attributes " + ", ".join(self.synchronised)) if self.synchronised else "no attribute (checker off)"
        return f"{self.organisation}: identities of quality {self.quality} ({kind}): {what} follow home; status always"


def links(admin: Admin, federation: str) -> list[Link]:
    """Every (provider realm, organisation) pair of ``federation`` whose root accounts can be read."""
    realms = [r for r in admin.get("") if (r.get("attributes") or {}).get(ids.FEDERATION_ATTR) == federation]
    homes = {r["attributes"][ids.ORGANISATION_ATTR]: r["realm"] for r in realms
             if (r.get("attributes") or {}).get(ids.ORGANISATION_ATTR)}
    found: list[Link] = []
    for provider in sorted(r["realm"] for r in realms if not r["attributes"].get(ids.ORGANISATION_ATTR)):
        for idp in admin.get(f"/{q(provider)}/identity-provider/instances"):
            config = idp.get("config") or {}
            alias = idp["alias"]
            if config.get(ids.ORGANISATION_ATTR) == alias and alias in homes:
                names = tuple(n for n in config.get(ids.CONSISTENCY_ATTRIBUTES_CONFIG, "").split(",") if n)
                found.append(Link(provider, alias, homes[alias], names,
                                  int(config.get(ids.CONSISTENCY_QUALITY_CONFIG) or 0)))
    return found


def users(admin: Admin, realm: str, query: str = "") -> Iterator[dict[str, Any]]:
    """Every user of ``realm``, ``PAGE`` at a time, as the extension's accounts resource gives them
    (``extensions/consistency``: what the checker reads and nothing else; Keycloak's own listing
    builds whole representations and is about ten times slower)."""
    first = 0
    while True:
        page = admin.get_realm_resource(realm, f"{ids.CONSISTENCY_RESOURCE}/accounts?first={first}&max={PAGE}{query}")
        yield from page
        if len(page) < PAGE:
            return
        first += PAGE


def _first(rep: dict[str, Any], name: str) -> str | None:
    if name in NAMES:
        return rep.get(name) or None
    values = (rep.get("attributes") or {}).get(name) or []
    return values[0] if values else None


def home_of(rep: dict[str, Any], realm: str) -> Home:
    values = {n: v for n in (*NAMES, "addressLine1", "addressLine2") if (v := _first(rep, n))}
    values[ids.SOURCE_ATTR] = source_of(realm)
    return Home(True, status_of(bool(rep.get("enabled")), _first(rep, ids.HOME_STATUS_ATTR)), values)


def name_ids(rep: dict[str, Any]) -> list[str]:
    return [v for k, vs in (rep.get("attributes") or {}).items() if k.startswith(ids.PERSISTENT_NAME_ID_PREFIX)
            for v in vs]


@dataclass(frozen=True)
class Root:
    username: str
    home: Home


def root_accounts(admin: Admin, link: Link) -> dict[str, Root]:
    """The organisation's root accounts by NameID (lower case, as in the access accounts' usernames)."""
    return {nid.lower(): Root(rep["username"], home_of(rep, link.home_realm))
            for rep in users(admin, link.home_realm) for nid in name_ids(rep)}


def access_of(rep: dict[str, Any]) -> Access:
    values = {n: v for n in (*NAMES, *ATTRIBUTES) if (v := _first(rep, n))}
    return Access(bool(rep.get("enabled")), _first(rep, ids.CONSISTENCY_DISABLED_ATTR), values)


def access_accounts(admin: Admin, link: Link) -> Iterator[tuple[str, dict[str, Any]]]:
    """The provider's access accounts of the organisation's agents, each with its NameID (lower case)."""
    prefix = f"{link.organisation}."
    for rep in users(admin, link.provider, f"&idpAlias={q(link.organisation)}"):
        username: str = rep["username"]
        if username.startswith(prefix):
            yield username[len(prefix):], rep
        else:  # renamed by hand: its link says who it is
            for fed in admin.get(f"/{q(link.provider)}/users/{rep['id']}/federated-identity"):
                if fed["identityProvider"] == link.organisation:
                    yield str(fed["userId"]).lower(), rep
