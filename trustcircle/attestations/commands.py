"""The ``attest`` commands: the federation's trust list (signed with its key, kept in the local
state and never printed), a verifier's offline cache (the trust list and the issuers' status
lists, refreshed when online), the verifier itself (offline by default, ``--online`` to fetch the
status lists now) and an administrator's revocation."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import requests
from jwcrypto import jwk

from trustcircle.errors import TrustcircleError

TIMEOUT_S = 10
STATUS_MEDIA_TYPE = "application/statuslist+jwt"


def _state_dir() -> Path:
    from trustcircle.settings import Paths

    folder = Paths.from_env().state / "attestations"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def federation_key(folder: Path) -> jwk.JWK:
    """The federation's trust-list signing key, made on first use (mode 0600, never printed)."""
    path = folder / "federation-key.json"
    if not path.exists():
        key = jwk.JWK.generate(kty="EC", crv="P-256", kid=f"federation-{int(time.time())}")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key.export_private())
    return jwk.JWK.from_json(path.read_text())


def _read_key(path: str) -> jwk.JWK:
    try:
        return jwk.JWK.from_json(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise TrustcircleError(f"cannot read the federation's public key {path}: {err}",
                               "give the file `trustcircle attest federation-key` printed") from err


def sign_trust_list(realms: Path, output: Path | None = None, publish_it: bool = False,
                    only_if_issuer: set[str] | None = None) -> list[str]:
    """Signs the federation's trust list (the issuers' keys read now) and, with ``publish_it``,
    publishes it in every issuing provider realm; the lines a person reads. ``only_if_issuer``:
    nothing is done unless one of these realms issues attestations (a key rotation's realms)."""
    from trustcircle import ids
    from trustcircle.attestations import publish
    from trustcircle.attestations import trust_list as tl
    from trustcircle.keycloak.admin import Admin
    from trustcircle.model.loader import load_federation
    from trustcircle.target import Target

    federation = load_federation([realms])
    issuing = [p.realm for p in federation.providers if p.attestations]
    if only_if_issuer is not None and not only_if_issuer & set(issuing):
        return []
    target = Target.load()
    issuers = [publish.issuer_url(target.url, realm) for realm in issuing]
    keys = {issuer: publish.signing_keys(issuer, str(target.ca_bundle)) for issuer in issuers}
    now = int(time.time())
    key = federation_key(_state_dir())
    held = _state_dir() / "trust-list.jwt"
    sequence = now
    if held.exists():  # numbers only go up, even twice in a second (a verifier refuses a lower one)
        with contextlib.suppress(tl.TrustListError):  # expired: the clock has moved on since
            sequence = max(now, tl.verify(held.read_text().strip(), key, now).sequence + 1)
    signed = tl.sign(publish.trust_list(federation, target.url, keys, now, sequence), key)
    for path in {held, output or held}:
        path.write_text(signed + "\n")
    lines = [f"trust list of {len(issuers)} issuer(s), number {sequence}, signed: {output or held}"]
    if publish_it:
        admin = Admin(target)
        for realm in issuing:
            admin.put_realm_resource(realm, f"{ids.ATTESTATIONS_RESOURCE}/trust-list", {"trust_list": signed})
            lines.append(f"published: {publish.trust_list_uri(target.url, realm)}")
    return lines


def published_here() -> bool:
    """Whether this machine's state signs the federation's trust list (``attest trust-list`` ran here)."""
    return (_state_dir() / "trust-list.jwt").exists()


def _trust_list(args: argparse.Namespace) -> int:
    print("\n".join(sign_trust_list(Path(args.realms), Path(args.output) if args.output else None, args.publish)))
    return 0


def _federation_key(args: argparse.Namespace) -> int:
    print(federation_key(_state_dir()).export_public())
    return 0


def status_file(cache: Path, uri: str) -> Path:
    return cache / "status" / (hashlib.sha256(uri.encode()).hexdigest()[:32] + ".jwt")


def _fetch(what: str, uri: str, media_type: str, ca_bundle: str | None, fix: str) -> str:
    """``what`` at ``uri``, over https only (the server's certificate checked)."""
    from urllib.parse import urlparse

    if urlparse(uri).scheme != "https":
        raise TrustcircleError(f"the {what} {uri} is not served over https", fix)
    try:
        answer = requests.get(uri, headers={"Accept": media_type}, timeout=TIMEOUT_S,
                              verify=ca_bundle if ca_bundle else True)
        answer.raise_for_status()
    except requests.RequestException as err:
        raise TrustcircleError(f"cannot fetch the {what} {uri}: {err}", "check the network, then run again") from err
    return answer.text.strip()


def fetch_status_list(uri: str, ca_bundle: str | None) -> str:
    return _fetch("status list", uri, STATUS_MEDIA_TYPE, ca_bundle, "fix the trust list")


def read_trust_list(source: str, ca_bundle: str | None) -> str:
    """The signed trust list from a file, or fetched from where the federation publishes it (https)."""
    if "://" in source:
        return _fetch("trust list", source, "application/jwt", ca_bundle,
                      "give the https address the federation publishes it at")
    try:
        return Path(source).read_text(encoding="utf-8").strip()
    except OSError as err:
        raise TrustcircleError(f"cannot read the trust list {source}: {err}",
                               "give the file, or the https address, of the federation's trust list") from err


def _refresh(args: argparse.Namespace) -> int:
    from trustcircle.attestations import trust_list as tl
    from trustcircle.attestations.status_list import StatusListError, verify_token

    cache = Path(args.cache)
    token = read_trust_list(args.trust_list, args.ca_bundle)
    now = int(time.time())
    held_path = cache / "trust-list.jwt"
    key = _read_key(args.federation_key)
    held = None
    if held_path.exists():
        try:
            held = tl.verify(held_path.read_text().strip(), key, now)
        except tl.TrustListError:
            held = None  # expired or replaced: the new one is checked on its own
    try:
        trust = tl.verify(token, key, now, older=held)
    except tl.TrustListError as err:
        raise TrustcircleError(str(err), "ask the federation for its current trust list") from err
    (cache / "status").mkdir(parents=True, exist_ok=True)
    for issuer in trust.issuers:
        for uri in issuer.status_lists:
            body = fetch_status_list(uri, args.ca_bundle)
            try:
                verify_token(body, uri, issuer.keys, now)
            except StatusListError as err:
                raise TrustcircleError(str(err), "the issuer's status list is not usable: try again later") from err
            status_file(cache, uri).write_text(body + "\n")
            print(f"status list of {issuer.name}: {uri}")
    held_path.write_text(token + "\n")
    (cache / "federation-key.json").write_text(key.export_public())
    print(f"trust list number {trust.sequence} and {sum(len(i.status_lists) for i in trust.issuers)} status list(s) "
          f"cached in {cache}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from trustcircle.attestations import trust_list as tl
    from trustcircle.attestations.verify import verify_presentation

    cache = Path(args.cache)
    now = int(time.time())
    key = _read_key(args.federation_key or str(cache / "federation-key.json"))
    try:
        trust = tl.verify((cache / "trust-list.jwt").read_text().strip(), key, now)
    except (OSError, tl.TrustListError) as err:
        print(json.dumps({"accepted": False, "reasons": [{"code": "trust-list", "message": str(err)}]}, indent=1))
        return 1

    def status(uri: str) -> str | None:
        if args.online:
            try:
                return fetch_status_list(uri, args.ca_bundle)
            except TrustcircleError:
                return None
        path = status_file(cache, uri)
        return path.read_text().strip() if path.exists() else None

    presentation = (sys.stdin.read() if args.presentation == "-" else Path(args.presentation).read_text()).strip()
    asked = tuple(c for c in args.ask.split(",") if c)
    decision = verify_presentation(presentation, trust, status, args.verifier, args.nonce, asked, now)
    print(json.dumps(decision.as_dict(), indent=1, ensure_ascii=False))
    return 0 if decision.accepted else 1


def _serve(args: argparse.Namespace) -> int:
    from trustcircle.attestations import trust_list as tl
    from trustcircle.attestations.service import Nonces, Verifier, server

    cache = Path(args.cache)
    key = _read_key(args.federation_key or str(cache / "federation-key.json"))
    token = (cache / "trust-list.jwt").read_text().strip()
    rules = tl.verify(token, key, int(time.time())).rules  # refused at once when unusable

    def status(uri: str) -> str | None:
        try:
            return fetch_status_list(uri, args.ca_bundle)
        except TrustcircleError:
            return None

    verifier = Verifier(lambda now: tl.verify(token, key, now), status, Nonces(rules.max_presentation_age_s))
    httpd = server(verifier, args.host, args.port, args.tls_cert, args.tls_key)
    print(f"verification API on https://{args.host}:{args.port} (POST /nonce, POST /verify); Ctrl-C stops it",
          flush=True)
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()
    return 0


def _page(args: argparse.Namespace) -> int:
    from trustcircle.attestations import page

    key = json.loads(_read_key(args.federation_key).export_public()) if args.federation_key else None
    cache = page.from_cache(Path(args.cache), args.verifier, key)
    output = Path(args.output)
    output.write_text(page.render(cache, page.script_path().read_text(encoding="utf-8")), encoding="utf-8")
    print(f"offline verifier page for {args.verifier}: {output} (trust list and {len(cache['status_lists'])} "
          "status list(s) inside; write it again after each attest refresh)")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from trustcircle import ids
    from trustcircle.keycloak.admin import Admin
    from trustcircle.target import Target

    path = f"{ids.ATTESTATIONS_RESOURCE}/attestations/{args.index}/revoke"
    Admin(Target.load()).post_realm_resource(args.realm, path, {"reason": args.reason})
    print(f"attestation {args.index} of {args.realm} revoked: the status list says so within 30 s")
    return 0


def add_attestation_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    attest = sub.add_parser("attest", help="habilitation attestations: trust list, verifier cache, verify, revoke")
    actions = attest.add_subparsers(dest="action", required=True)
    trust = actions.add_parser("trust-list",
                               help="sign the federation's trust list (issuers, keys, status lists, rules)")
    trust.add_argument("--realms", default="realms")
    trust.add_argument("--output", help="where to write it too (it is always kept in the local state, whose "
                                        "sequence numbers it continues)")
    trust.add_argument("--publish", action="store_true",
                       help="also publish it in every issuing provider realm, where verifiers refresh it from")
    trust.set_defaults(func=_trust_list)
    key = actions.add_parser("federation-key", help="print the public key verifiers check the trust list with")
    key.set_defaults(func=_federation_key)
    refresh = actions.add_parser("refresh", help="a verifier's cache, online: the trust list and every status list")
    refresh.add_argument("--trust-list", required=True,
                         help="the signed trust list: a file, or the https address the federation publishes it at")
    refresh.add_argument("--federation-key", required=True, help="the federation's public key (JWK file)")
    refresh.add_argument("--cache", required=True, help="the verifier's cache folder")
    refresh.add_argument("--ca-bundle",
                         help="CA certificates to trust for the issuers and the trust list (default: the system's)")
    refresh.set_defaults(func=_refresh)
    check = actions.add_parser("verify", help="decide on a presentation: offline from the cache, or --online")
    check.add_argument("presentation", help="a file holding the presentation, or - for standard input")
    check.add_argument("--verifier", required=True, help="this verifier's id (the presentation's audience)")
    check.add_argument("--nonce", required=True, help="the nonce this verifier gave the wallet")
    check.add_argument("--ask", default="", help="the claims asked for, comma-separated")
    check.add_argument("--cache", required=True, help="the verifier's cache folder (attest refresh)")
    check.add_argument("--federation-key", help="the federation's public key (default: the cached one)")
    check.add_argument("--online", action="store_true", help="fetch the status lists now instead of the cached ones")
    check.add_argument("--ca-bundle", help="CA certificates to trust for the issuers (with --online)")
    check.set_defaults(func=_verify)
    serve = actions.add_parser("serve", help="the online verification API (POST /nonce, POST /verify), over https")
    serve.add_argument("--cache", required=True, help="the verifier's cache folder (attest refresh): its trust list")
    serve.add_argument("--federation-key", help="the federation's public key (default: the cached one)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8548)
    serve.add_argument("--tls-cert", required=True, help="the service's certificate (PEM)")
    serve.add_argument("--tls-key", required=True, help="its private key (PEM)")
    serve.add_argument("--ca-bundle", help="CA certificates to trust for the issuers' status lists")
    serve.set_defaults(func=_serve)
    offline = actions.add_parser("page", help="the offline verifier page: one HTML file holding the cache, "
                                              "which makes no connection")
    offline.add_argument("--cache", required=True, help="the verifier's cache folder (attest refresh)")
    offline.add_argument("--verifier", required=True, help="this verifier's id (the presentations' audience)")
    offline.add_argument("--output", required=True, help="where to write the page (an .html file)")
    offline.add_argument("--federation-key", help="the federation's public key (default: the cached one)")
    offline.set_defaults(func=_page)
    revoke = actions.add_parser("revoke", help="revoke an attestation (an administrator of the provider realm)")
    revoke.add_argument("index", type=int, help="its status list index (its status.status_list.idx)")
    revoke.add_argument("--reason", required=True, help="why: kept with the attestation and in the audit trail")
    revoke.add_argument("--realm", default="cnaf", help="the issuing provider realm")
    revoke.set_defaults(func=_revoke)
