"""What a URL of realms/ may look like: an exact https address, written in the one form every
parser reads alike.

Browsers and URL libraries repair URLs silently (``https:\\\\evil.example`` becomes
``https://evil.example/``, ``https://2130706433/`` becomes ``https://127.0.0.1/``), so a URL is
refused unless it is already in plain form: https, a lower-case DNS name or a dotted-decimal
IPv4 address (or a bracketed IPv6 one), an optional port, a path without ``.``/``..`` segments,
and no wildcard, user name, password or fragment. Redirect URIs are compared exactly by Keycloak:
a wildcard would let any page of the host receive authorisation codes.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

MAX_URL = 2048
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")
NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)", re.IGNORECASE)  # what WHATWG parsers turn into an IPv4
PLAIN = re.compile(r"[\x21-\x7e]+")
PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()+,;=:@/%]*")
URL_PATTERN = r"^https://[^\s*#@\\]+$"  # for editors (JSON Schema); url_problem is the full rule


def _host_problem(host: str) -> str | None:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host} is not an IPv6 address"
        return None if host.endswith("]") and host == host.lower() else f"write the IPv6 address {host} in lower case"
    if not host:
        return "no host"
    if NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        return None if IPV4.fullmatch(host) else (f"host {host} is an IP address in disguise: write it as four "
                                                  "decimal numbers (e.g. 192.0.2.10), or use its DNS name")
    if not host.isascii():
        return f"host {host} is not ASCII: write its punycode form (xn--…) so that look-alike letters show"
    return None if HOSTNAME.fullmatch(host) else f"host {host} is not a plain lower-case DNS name"


def url_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable URL, or None."""
    if len(text) > MAX_URL:
        return f"the URL has {len(text)} characters, more than {MAX_URL}"
    if not PLAIN.fullmatch(text):
        return "the URL holds spaces or characters other than printable ASCII (percent-encode them)"
    if not text.startswith("https://"):
        scheme = text.split(":", 1)[0] if ":" in text else ""
        return f"only https URLs are allowed, not {scheme or 'a relative address'}" if scheme.lower() != "https" \
            else "write the scheme as https:// (lower case, two slashes)"
    if "\\" in text:
        return "the URL holds a backslash, which browsers read as a slash"
    if "*" in text:
        return "wildcards are not allowed: write the exact URL"
    parts = urlsplit(text)
    if "@" in parts.netloc:
        return "a user name or password in a URL is not allowed (and can disguise the real host)"
    if "#" in text:
        return "a fragment (#…) is not allowed in this URL"
    try:
        port = parts.port
    except ValueError:
        return "the port is not a number between 1 and 65535"
    host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
    if port is not None and (port == 0 or parts.netloc.endswith(f":0{port}")):
        return "the port is not a number between 1 and 65535 without leading zeros"
    problem = _host_problem(host)
    if problem:
        return problem
    segments = {segment.lower().replace("%2e", ".") for segment in parts.path.split("/")}
    if segments & {".", ".."}:
        return "the path holds . or .. segments: write the path they lead to"
    return None if PATH_CHARS.fullmatch(parts.path) else "the path holds characters to percent-encode"


# Parameters Keycloak 26.7.3 refuses in a redirect URI (its RedirectUtils' forbidden OpenID Connect
# response parameters): the authorization response would carry them twice, and an attacker's value first.
OIDC_RESPONSE_PARAMETERS = frozenset({"code", "state", "session_state", "iss", "error", "error_description",
                                      "error_uri", "id_token", "access_token", "token_type", "expires_in",
                                      "response", "kc_action", "kc_action_status"})


def redirect_uri_problem(text: str) -> str | None:
    """Why ``text`` is not an acceptable redirect URI (beyond :func:`url_problem`), or None."""
    names = sorted({pair.split("=", 1)[0].lower() for pair in urlsplit(text).query.split("&") if pair}
                   & OIDC_RESPONSE_PARAMETERS)
    if names:
        return (f"the query holds {', '.join(names)}, which the authorization response itself carries: "
                "Keycloak refuses such a redirect URI; remove them")
    return None
