"""The offline verifier page: one HTML file a verifier opens in a browser, with the network cut as
well as on (a home visit, a crisis). It holds its cache, the federation's public key, the signed
trust list and the issuers' signed status lists as ``attest refresh`` left them, and the script of
``web/verifier`` (bundled by ``scripts/lib.sh``'s ``tc_setup_web``), which decides as
:mod:`trustcircle.attestations.verify` does, with the same reason codes.

The page's Content-Security-Policy allows its own inline script (by its hash) and style, and no
connection, form, frame or image from anywhere: it cannot fetch, and cannot send a presentation
away. It verifies everything it holds on every load, so a page kept too long says so and refuses.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from trustcircle.errors import TrustcircleError

TEMPLATE = Path(__file__).resolve().parents[2] / "web" / "verifier" / "page.html"
SCRIPT_ENV = "TRUSTCIRCLE_VERIFIER_SCRIPT"


def script_path() -> Path:
    """The bundled script ``tc_setup_web`` built (``./run attest page`` and ``./run test`` build it)."""
    found = os.environ.get(SCRIPT_ENV)
    if not found or not Path(found).is_file():
        raise TrustcircleError("the offline verifier page's script is not built",
                               "run the command through ./run (./run attest page ...), which builds it")
    return Path(found)


def _inline(text: str) -> str:
    """``text`` safe inside a ``<script>`` element: no ``</`` (which could end it) is left."""
    return text.replace("</", "<\\/")


def render(cache: dict[str, Any], script: str) -> str:
    """The page for ``cache``: ``verifier``, ``federation_key`` (a public JWK), ``trust_list``,
    ``status_lists`` (URI to token) and ``cached_at``."""
    if "</script" in script.lower():
        raise TrustcircleError("the offline verifier's script holds '</script'", "rebuild it: ./run attest page")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
           "connect-src 'none'; img-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
    page = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (("__CSP__", csp), ("__VERIFIER__", _escape(str(cache["verifier"]))),
                        ("__CACHE__", _inline(json.dumps(cache, sort_keys=True))), ("__SCRIPT__", script)):
        page = page.replace(name, value, 1)
    return page


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def from_cache(folder: Path, verifier: str, federation_key: dict[str, Any] | None = None,
               now: int | None = None) -> dict[str, Any]:
    """The page's cache from a verifier's cache folder (``attest refresh``): the trust list, every
    status list it names that the folder holds, the federation's public key."""
    from jwcrypto import jwk

    from trustcircle.attestations import trust_list as tl
    from trustcircle.attestations.commands import status_file

    try:
        key = federation_key or json.loads((folder / "federation-key.json").read_text())
        token = (folder / "trust-list.jwt").read_text().strip()
    except (OSError, ValueError) as err:
        raise TrustcircleError(f"no usable verifier cache in {folder}: {err}",
                               "fill it online first: trustcircle attest refresh --cache ...") from err
    if not isinstance(key, dict) or "d" in key:
        raise TrustcircleError("the federation key given is not a public JWK",
                               "give the file attest federation-key printed")
    moment = int(time.time()) if now is None else now
    try:
        trust = tl.verify(token, jwk.JWK(**key), moment)
    except tl.TrustListError as err:
        raise TrustcircleError(str(err), "refresh the cache online: trustcircle attest refresh") from err
    lists = {uri: status_file(folder, uri).read_text().strip() for issuer in trust.issuers
             for uri in issuer.status_lists if status_file(folder, uri).exists()}
    return {"verifier": verifier, "federation_key": key, "trust_list": token, "status_lists": lists,
            "cached_at": moment}
