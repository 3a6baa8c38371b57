"""Who uses a realm's keys, and how each gets the new ones.

**Links** are consumers inside the federation that read a rotated realm's SAML metadata by URL
(``useMetadataDescriptorUrl``): a provider realm's identity provider for an organisation realm (it
checks the organisation's signed assertions) and an organisation realm's broker client for a
provider (it checks the provider's signed requests and encrypts assertions to it). Keycloak keeps
what it read in its keys cache: an unknown signing key is fetched again (at most every 10 s), but
the key it encrypts to is re-read only when the cache entry expires (a day). :func:`refresh` clears
that cache (``POST /admin/realms/{realm}/clear-keys-cache``: every realm's, cluster-wide; each
external key is then read again from its own URL on its next use) and reloads each identity provider
(``GET .../identity-provider/instances/{alias}/reload-keys``); there is no per-client reload.

**Outside parties** read the keys at their own pace: e-services (SAML: the realm's IdP metadata;
OpenID Connect and applications: its JWKS) and organisations' own identity providers (the realm's
SP metadata of the link). trustcircle cannot refresh them: the commands say what each must read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from defusedxml import ElementTree

from trustcircle import ids
from trustcircle.errors import KeycloakApiError
from trustcircle.keycloak.admin import Admin, q

TIMEOUT_S = 30
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"


@dataclass(frozen=True)
class Link:
    """A consumer in ``realm`` reading ``source``'s keys from ``metadata_url``."""

    realm: str
    kind: str  # "identity provider" or "broker client"
    name: str  # the alias, or the client id
    source: str
    metadata_url: str

    def describe(self) -> str:
        return f"{self.realm}'s {self.kind} {self.name!r} (reads {self.metadata_url})"


@dataclass(frozen=True)
class Outside:
    """A party beyond the federation's realms using ``realm``'s keys."""

    realm: str
    what: str
    name: str
    reads: str  # where it finds the new keys
    uses: tuple[str, ...]  # "signing", "encryption"

    def describe(self) -> str:
        return (f"{self.what} {self.name!r} uses {self.realm}'s {' and '.join(self.uses)} key: it must read "
                f"{self.reads} again, or install the new certificate")


def _source(url: str, realms: Iterable[str]) -> str | None:
    """The federation realm whose metadata ``url`` is (by its path ``/realms/<realm>/``), if any."""
    parts = urlsplit(url).path.split("/")
    return parts[2] if len(parts) > 3 and parts[1] == "realms" and parts[2] in set(realms) else None


def discover(admin: Admin, realms: list[str], rotated: set[str]) -> tuple[list[Link], list[Outside]]:
    """The links into ``rotated`` realms among the federation's ``realms``, and the outside parties
    of the ``rotated`` ones."""
    links: list[Link] = []
    outside: list[Outside] = []
    base = admin.target.url
    for realm in realms:
        found = [_idp(realm, idp, realms, rotated, base)
                 for idp in admin.get(f"/{q(realm)}/identity-provider/instances")]
        found += [_client(realm, client, realms, rotated, base) for client in admin.get(f"/{q(realm)}/clients")]
        links += [f for f in found if isinstance(f, Link)]
        outside += [f for f in found if isinstance(f, Outside)]
    return links, outside


def _idp(realm: str, idp: dict[str, Any], realms: list[str], rotated: set[str], base: str) -> Link | Outside | None:
    config, alias = idp.get("config") or {}, idp["alias"]
    url = config.get("metadataDescriptorUrl") or ""
    source = _source(url, realms) if config.get("useMetadataDescriptorUrl") == "true" else None
    if idp.get("providerId") == "saml" and source in rotated:
        return Link(realm, "identity provider", alias, source or "", url)
    if realm not in rotated or source is not None:
        return None
    if idp.get("providerId") == "saml":
        uses = ("signing", "encryption") if config.get("wantAssertionsEncrypted") == "true" else ("signing",)
        return Outside(realm, "the organisation's own SAML identity provider", alias,
                       f"{base}/realms/{realm}/broker/{alias}/endpoint/descriptor", uses)
    if config.get("clientAuthMethod") == "private_key_jwt":
        return Outside(realm, "the organisation's own OpenID provider (client assertions)", alias,
                       f"{base}/realms/{realm}/protocol/openid-connect/certs", ("signing",))
    return None


def _client(realm: str, client: dict[str, Any], realms: list[str], rotated: set[str],
            base: str) -> Link | Outside | None:
    attributes = client.get("attributes") or {}
    url = attributes.get("saml.metadataDescriptorUrl") or ""
    source = _source(url, realms) if attributes.get("saml.useMetadataDescriptorUrl") == "true" else None
    if client.get("protocol") == "saml" and source in rotated:
        return Link(realm, "broker client", client["clientId"], source or "", url)
    if realm not in rotated or source is not None or attributes.get(ids.MANAGED_BY_ATTR) != ids.MANAGED_BY:
        return None
    if client.get("protocol") == "saml":
        return Outside(realm, "SAML e-service", client["clientId"], f"{base}/realms/{realm}/protocol/saml/descriptor",
                       ("signing",))
    return Outside(realm, "OpenID Connect client (and the APIs checking its tokens)", client["clientId"],
                   f"{base}/realms/{realm}/protocol/openid-connect/certs", ("signing",))


def refresh(admin: Admin, links: list[Link]) -> list[str]:
    """Make every link read its source's metadata again; what happened, one line per link."""
    if not links:
        return []
    admin.post(f"/{q(links[0].realm)}/clear-keys-cache", {})
    done = []
    for link in links:
        if link.kind == "identity provider":
            reloaded = admin.get(f"/{q(link.realm)}/identity-provider/instances/{q(link.name)}/reload-keys")
            done.append(f"{link.describe()}: {'keys reloaded' if reloaded else 'reloaded a moment ago'}")
        else:
            done.append(f"{link.describe()}: keys cache cleared, read again on its next use")
    return done


def published(xml: str) -> dict[str, list[str]]:
    """The key names (Keycloak's kids) a SAML metadata document publishes, by use, in its order."""
    root = ElementTree.fromstring(xml)
    found: dict[str, list[str]] = {"signing": [], "encryption": []}
    for descriptor in root.iter(f"{MD}KeyDescriptor"):
        name = descriptor.find(f"{DS}KeyInfo/{DS}KeyName")
        use = descriptor.get("use") or "signing"
        if name is not None and name.text and use in found:
            found[use].append(name.text.strip())
    return found


def read_metadata(admin: Admin, url: str) -> dict[str, list[str]]:
    """What ``url`` publishes now, read as a link reads it (the target's CA, verification on)."""
    try:
        answer = requests.get(url, verify=str(admin.target.ca_bundle), timeout=TIMEOUT_S)
        answer.raise_for_status()
    except requests.RequestException as err:
        raise KeycloakApiError(f"cannot read the metadata {url}: {err}",
                               "check that Keycloak answers at that URL from here (./run local status); "
                               "nothing was removed") from err
    return published(answer.text)
