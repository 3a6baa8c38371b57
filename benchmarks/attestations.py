"""Habilitation attestations (``./run bench-attestations``): issuance per second by Keycloak's
OID4VCI issuer with the extension's mapper, verification per second online (the status list
fetched each time) and offline (cached), and the status list's size.

Usage: ./run bench-attestations [--count N] [--concurrency C]
(bounded: N attestations one at a time, then N more by C wallets at once; loopback only; against
the local federation, ``./run up``)

Agents of cd33 sign in to a wallet each; each wallet then requests up to 5 attestations (what an
agent may hold at once), each with a fresh nonce and proof (what the issuer spends per
attestation: proof checks, the habilitation decision, the record, the signature). Each is
presented once and verified offline and online; the online verifier fetches the status list over
https each time (the issuer rebuilds it at most every 30 s). Then C wallets of other agents ask at
once (each its 5 one after the other): the issuer's throughput under concurrency, and a check that
no two attestations were given the same status-list entry. The status list's size is the
issuer's own once the N are recorded, and, for 100,000 attestations, the same list computed here
(the same bits and compression as the extension's).
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from jwcrypto import jwk

from conformance.agents import Agent, create_agent, delete_agent
from conformance.test_attestations import CREDENTIAL, PROVIDER, VERIFIER, fetch_status
from conformance.wallet import Wallet
from trustcircle.attestations import publish
from trustcircle.attestations import status_list as sl
from trustcircle.attestations import trust_list as tl
from trustcircle.attestations.verify import verify_presentation
from trustcircle.keycloak.admin import Admin
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

CAPACITY = 1 << 17  # the extension's AttestationStore.CAPACITY
HELD = 5  # unexpired attestations an agent may hold at once (the mapper's default)


def list_size(attestations: int, revoked_share: float = 0.02, seed: int = 7) -> int:
    """The compressed size (bytes of ``lst``) of a list holding ``attestations`` at random entries,
    ``revoked_share`` of them revoked (every other entry invalid, as the extension publishes)."""
    rng = random.Random(seed)  # noqa: S311 (a benchmark's sample, not a secret)
    statuses = sl.StatusList(CAPACITY, 1)
    for index in range(CAPACITY):
        statuses.set(index, sl.INVALID)
    for index in rng.sample(range(CAPACITY), attestations):
        if rng.random() >= revoked_share:
            statuses.set(index, sl.VALID)
    return len(sl.unb64url(statuses.encode()["lst"]))


def _sign_in(target: Target, config: Any, agent: Agent) -> tuple[Wallet, str]:
    """The agent's wallet, signed in through cd33: the wallet and its access token."""
    wallet = Wallet()
    tokens = wallet.sign_in(target, PROVIDER, config.client_id, str(config.redirect_uris[0]), CREDENTIAL, "cd33",
                            agent)
    tokens.raise_for_status()
    return wallet, str(tokens.json()["access_token"])


def _issue(target: Target, wallet: Wallet, access: str, count: int) -> list[tuple[float, str]]:
    """``count`` attestations of one wallet, one after the other: (seconds, credential) each."""
    issued = []
    for _ in range(count):
        start = time.perf_counter()
        answer = wallet.request_credential(target, PROVIDER, access, CREDENTIAL)
        elapsed = time.perf_counter() - start
        answer.raise_for_status()
        issued.append((elapsed, answer.json()["credentials"][0]["credential"]))
    return issued


def _index(credential: str) -> int:
    body = credential.split("~")[0].split(".")[1]
    return int(json.loads(sl.unb64url(body))["status"]["status_list"]["idx"])


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="./run bench-attestations", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50, help="attestations to issue and verify (default 50)")
    parser.add_argument("--concurrency", type=int, default=4,
                        help="wallets asking at once in the second round (default 4; 0 skips it)")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 1000 or not 0 <= args.concurrency <= 16:
        parser.error("--count is 1 to 1000, --concurrency 0 to 16 (the machine's own loopback)")
    target = Target.load()
    admin = Admin(target)
    federation = load_federation([REPO_ROOT / "realms"])
    provider = federation.provider(PROVIDER)
    assert provider.attestations is not None
    realm = next(o for o in federation.organisations if o.id == "cd33").realm
    assert realm is not None
    wanted = -(-args.count // HELD)
    agents = [create_agent(admin, realm, "cd33.example", ("instructeurs-rsa",))
              for _ in range(wanted * (2 if args.concurrency else 1))]
    issuer = publish.issuer_url(target.url, PROVIDER)
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="bench")
    now = int(time.time())
    trust = tl.verify(tl.sign(publish.trust_list(federation, target.url, {
        issuer: publish.signing_keys(issuer, str(target.ca_bundle))}, now, 1), key), key, now)
    try:
        config = provider.attestations.wallet
        print(f"issuing {args.count} attestations to {wanted} agents ({HELD} each at most) …", file=sys.stderr,
              flush=True)
        issuing, credentials = [], []
        for number, agent in enumerate(agents[:wanted]):
            wallet, access = _sign_in(target, config, agent)
            issued = _issue(target, wallet, access, min(HELD, args.count - number * HELD))
            issuing += [elapsed for elapsed, _ in issued]
            credentials += [(wallet, credential) for _, credential in issued]
        together: list[float] = []
        wall = 0.0
        if args.concurrency:
            print(f"issuing {args.count} more, {args.concurrency} wallets at once …", file=sys.stderr, flush=True)
            signed_in = [_sign_in(target, config, agent) for agent in agents[wanted:]]  # before the clock
            start = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                rounds = list(pool.map(lambda pair: _issue(target, pair[1][0], pair[1][1],
                                                           min(HELD, args.count - pair[0] * HELD)),
                                       enumerate(signed_in)))
            wall = time.perf_counter() - start
            together = [elapsed for issued in rounds for elapsed, _ in issued]
            indices = [_index(c) for _, c in credentials] + [_index(c) for issued in rounds for _, c in issued]
            assert len(set(indices)) == len(indices), "two attestations were given the same status-list entry"
        uri = publish.status_list_uri(target.url, PROVIDER)
        copy = fetch_status(target)(uri) or ""
        offline, online = [], []
        print(f"verifying {args.count} presentations offline and online …", file=sys.stderr, flush=True)
        for wallet, credential in credentials:
            nonce = secrets.token_urlsafe(16)
            presentation = wallet.present(("rsa",), nonce, VERIFIER, credential=credential)
            start = time.perf_counter()
            decision = verify_presentation(presentation, trust, {uri: copy}.get, VERIFIER, nonce, ("rsa",),
                                           int(time.time()))
            offline.append(time.perf_counter() - start)
            assert decision.accepted, decision.reasons
            start = time.perf_counter()
            decision = verify_presentation(presentation, trust, fetch_status(target), VERIFIER, nonce, ("rsa",),
                                           int(time.time()))
            online.append(time.perf_counter() - start)
            assert decision.accepted, decision.reasons
        served = requests.get(uri, verify=str(target.ca_bundle), timeout=30).text
        claims = json.loads(sl.unb64url(served.split(".")[1]))
        served_bytes = len(sl.unb64url(claims["status_list"]["lst"]))
    finally:
        for agent in agents:
            delete_agent(admin, agent, PROVIDER, "cd33")

    def row(name: str, times: list[float]) -> str:
        return (f"| {name} | {len(times) / sum(times):.1f} | {statistics.median(times) * 1000:.1f} ms | "
                f"{max(times) * 1000:.1f} ms |")

    print(f"| step ({args.count}, one at a time) | per second | median | worst |")
    print("| --- | ---: | ---: | ---: |")
    print(row("issuance (nonce, proof, credential)", issuing))
    if together:
        print(f"| issuance, {args.concurrency} wallets at once | "
              f"{len(together) / wall:.1f} | {statistics.median(together) * 1000:.1f} ms | "
              f"{max(together) * 1000:.1f} ms |")
    print(row("verification offline (cached status list)", offline))
    print(row("verification online (status list fetched)", online))
    print()
    print("| status list | entries | compressed |")
    print("| --- | ---: | ---: |")
    total = len(credentials) + len(together)
    print(f"| the issuer's, after this run's {total} attestations | {CAPACITY} | {served_bytes} bytes |")
    print(f"| 100,000 attestations at random entries, 2 % revoked | {CAPACITY} | {list_size(100_000)} bytes |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
