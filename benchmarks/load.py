"""Federated logins and client-credentials grants under load, side by side with Keycloak's own
password login, on the same server in one run.

Usage: ./run bench-load [--variants a,b,c,d] [--step-s S] [--open-s S] [--agents N] [--chart FILE] ...
(bounded: every phase stops after its seconds; loopback only; ``--help`` lists the options)

Variants, each the real journey (``benchmarks/load_journeys.py``):
  a. a password login to a client of one realm (the agent's own realm): Keycloak's path, the baseline;
  b. the federated SAML login to CDAP through the provider and the agent's organisation, with the
     extension (convention gate and session limiter in the post-broker flow, habilitation mapper);
  c. the same without the extension (``benchmarks/extension_switch.py``; put back and checked after);
  d. an application's client-credentials grant over mutual TLS.
Each is warmed up (every agent's first brokered login included), ramped in closed loops until the
throughput stops growing (saturation), then driven by open-loop arrivals at 50 % and 80 % of that
throughput (``benchmarks/load_schedule.py``). Around each phase the Keycloak process's CPU seconds
and resident memory are read from /proc and its heap from the management port's metrics
(``benchmarks/load_server.py``). Agents are a pool created for the run in the organisation's realm,
each resting 1.5 s between two sign-ins (``benchmarks/load_agents.py``), and deleted after it.

Why no load-testing library (Locust was the candidate): Locust's users are closed loops (a user's
next task starts when the previous one ends; ``constant_throughput`` only paces each user), so an
arrival rate independent of the server's answers, with latency counted from when a journey was
due, would be a custom layer on top of it anyway; Locust runs on gevent, which monkey-patches
sockets, TLS and threads in the whole process that also runs pysaml2, its xmlsec1 subprocesses and
the conformance suite's threaded helpers (what is measured would run on another I/O stack than
the suite's); and it would add gevent, greenlet, Flask, pyzmq and psutil to requirements.lock for a
web UI and distributed workers this single-machine run does not use. The scheduler here is a
thread pool fed at Poisson arrival times, about a hundred lines, unit-tested
(``tests/test_load_schedule.py``), and it counts what it could not start (drops) instead of hiding it.

The load generator shares the machine with Keycloak: its own CPU per journey is printed beside
Keycloak's, and the per-journey CPU of the Keycloak process (not the throughput) is the figure to
hold against Keycloak's published sizing.
"""

from __future__ import annotations

import argparse
import base64
import sys
import tempfile
from collections.abc import Sequence
from contextlib import nullcontext
from functools import partial
from pathlib import Path

from benchmarks.extension_switch import assert_as_deployed, extension_off, put_back
from benchmarks.load_agents import AgentPool, pool_size
from benchmarks.load_journeys import ClientCredentials, FederatedLogin, PasswordLogin
from benchmarks.load_report import (
    chart,
    error_table,
    overhead,
    paired_table,
    ramp_table,
    soak_table,
    steps_table,
    variant_table,
)
from benchmarks.load_run import FRACTIONS, Phase, Plan, Reading, Variant, alternate, measure, soak
from benchmarks.load_server import live_sessions, local_server
from conformance.agents import Agent, create_agent, delete_agent
from conformance.conftest import cdap_of
from conformance.journeys import first_application
from trustcircle.compiler.services import api_scope_name, application_client_id
from trustcircle.keycloak.admin import Admin
from trustcircle.local.ca import client_subject, ensure_issuing_ca, issue_client_certificate
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation
from trustcircle.pipeline import desired_state_of
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

ORGANISATION, GROUP = "cd33", "instructeurs-rsa"
TITLES = {"a": "a. password login, one realm", "b": "b. federated login, with the extension",
          "c": "c. federated login, without the extension", "d": "d. client credentials over mTLS"}
_KIND = {"a": "password", "b": "federated", "c": "federated", "d": "grant"}


def _levels(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in text.split(","))


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./run bench-load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="a,b,c,d", help="which of a,b,c,d (default: all, in that order)")
    parser.add_argument("--levels", type=_levels, default=(1, 2, 3, 4, 6), help="closed-loop workers for logins")
    parser.add_argument("--grant-levels", type=_levels, default=(1, 2, 4, 6, 8), help="the same for grants")
    parser.add_argument("--step-s", type=float, default=15, help="seconds of each closed-loop level (15)")
    parser.add_argument("--open-s", type=float, default=30, help="seconds of each open-loop rate (30)")
    parser.add_argument("--in-flight", type=int, default=24, help="open loop: journeys at once, at most (24)")
    parser.add_argument("--agents", type=int, default=80, help="agents in the pool (80)")
    parser.add_argument("--warm-up-s", type=float, default=30, help="warm-up of each variant, at least (30)")
    parser.add_argument("--chart", type=Path, help="write the chart (SVG) there")
    parser.add_argument("--rounds", type=int, default=4,
                        help="b and c: then that many alternating rounds at 80 %% of the slower's saturation (4)")
    parser.add_argument("--round-s", type=float, default=20, help="seconds of each variant in each round (20)")
    parser.add_argument("--soak-s", type=float, default=0,
                        help="then variant b at 80 %% of its saturation for that long, memory read every 30 s")
    return parser.parse_args(argv)


def grants(target: Target, federation: Federation, directory: Path) -> ClientCredentials:
    organisation, app = first_application(federation)
    api = next(a for a in federation.provider("cnaf").apis if a.id == app.api)
    issuer = ensure_issuing_ca(Path(target.ca_bundle).parent)
    cert = issue_client_certificate(issuer, client_subject(organisation, app.id))
    chain, key = cert.write(directory, app.id)
    thumbprint = base64.urlsafe_b64encode(cert.sha256_thumbprint).rstrip(b"=").decode()
    return ClientCredentials(target, federation.provider("cnaf").realm, application_client_id(organisation, app.id),
                             [api_scope_name(api, s) for s in app.scopes[:2]], (str(chain), str(key)), thumbprint)


def _job(kind: str, target: Target, federation: Federation, pool: AgentPool[Agent], directory: Path,
         at_once: int) -> PasswordLogin | FederatedLogin | ClientCredentials:
    """The journey of a kind (b and c share one: the same e-service instances, with and without the extension)."""
    if kind == "password":
        return PasswordLogin(target, pool)
    if kind == "federated":
        return FederatedLogin(target, cdap_of(federation), ORGANISATION, pool).prepare(at_once)
    return grants(target, federation, directory)


def _plan(key: str, args: argparse.Namespace) -> Plan:
    levels = args.grant_levels if key == "d" else args.levels
    return Plan(levels, args.step_s, args.open_s, args.in_flight, 20 if key == "d" else args.agents, args.warm_up_s)


def summary(variants: Sequence[Variant]) -> list[str]:
    """The ratios the issue sets targets for, from what was measured."""
    by = {v.key: v for v in variants}
    lines = []
    if "a" in by and "b" in by:
        a, b = by["a"], by["b"]
        cpu = [v.open[FRACTIONS[-1]] for v in (a, b)]
        per = [p.per_journey(p.server_cpu_s) for p in cpu]
        ratio = a.saturated.run.throughput / b.saturated.run.throughput
        lines.append(f"- saturation, password / federated: {ratio:.2f}x"
                     + (f"; Keycloak CPU per journey, federated / password: {per[1] / per[0]:.2f}x"
                        if per[0] and per[1] else ""))
    if "b" in by and "c" in by:
        lines += overhead(by["b"].open[FRACTIONS[-1]], by["c"].open[FRACTIONS[-1]], "each at 80 % of its saturation")
    return lines


def report(variants: Sequence[Variant], pool: AgentPool[Agent], sessions: int | None,
           soaked: tuple[Phase, list[Reading]] | None, paired: list[Phase] | None) -> str:
    out = ["### Under load, side by side", "", *variant_table(variants), "", "Ratios:", *summary(variants), "",
           "### Closed-loop ramp", "", *ramp_table(variants), "",
           "### Where a journey's time goes (median ms per step, open loop at 80 %)", "", *steps_table(variants), "",
           "### Errors", "", *error_table(variants), "",
           f"Journeys waited {pool.waited_s:.1f} s in all for a rested agent ({len(pool.agents)} agents)."]
    if paired:
        out += ["", "### The extension's cost: b and c in alternating rounds at one rate", "",
                *paired_table(paired, [TITLES["b"], TITLES["c"]]), "", *overhead(paired[0], paired[1])]
    if soaked:
        out += ["", "### Soak: the federated login at 80 % of saturation", "", *soak_table(*soaked)]
    if sessions is not None:
        out.append(f"Live client sessions in the provider and organisation realms after the agents were deleted: "
                   f"{sessions}.")
    return "\n".join(out)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    keys = [k.strip() for k in args.variants.split(",") if k.strip()]
    if not keys or set(keys) - set(TITLES):
        raise SystemExit(f"--variants: choose among {','.join(TITLES)}")
    target, federation = Target.load(), load_federation([REPO_ROOT / "realms"])
    admin, state = Admin(target), desired_state_of(REPO_ROOT / "realms")
    assert_as_deployed(target, state, "the federation differs from realms/: run ./run up first")
    org, provider = federation.organisation(ORGANISATION), federation.provider("cnaf")
    assert org.realm is not None
    server = local_server(target)
    if server is None:
        print("(not the local federation: no CPU or memory figures)", file=sys.stderr)
    print(f"creating {args.agents} agents in {org.realm}", file=sys.stderr, flush=True)
    agents = [create_agent(admin, org.realm, f"{org.id}.example", (GROUP,)) for _ in range(args.agents)]
    pool = AgentPool(agents)
    if args.agents < pool_size(0, max(args.in_flight, *args.levels)):
        print("(fewer agents than journeys at once: some will wait or fail with NoAgentFree)", file=sys.stderr)
    soaked, paired, cdap = None, None, cdap_of(federation)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
            at_once = max(args.in_flight, *args.levels)
            made = {kind: _job(kind, target, federation, pool, Path(tmp), at_once) for kind in {_KIND[k] for k in keys}}
            variants = [Variant(key, TITLES[key], made[_KIND[key]], made[_KIND[key]].steps) for key in keys]
            for variant in variants:
                off = extension_off(admin, cdap, state) if variant.key == "c" else nullcontext()
                with off:
                    measure(variant, _plan(variant.key, args), server)
            by = {v.key: v for v in variants}
            if "b" in by and "c" in by and args.rounds:
                rate = FRACTIONS[-1] * min(by[k].saturated.run.throughput for k in "bc")
                paired = alternate([(by["b"], nullcontext), (by["c"], partial(extension_off, admin, cdap, state))],
                                   rate, args.rounds, args.round_s, args.in_flight, server)
            federated = by.get("b")
            if args.soak_s and federated:
                soaked = soak(federated, args.soak_s, args.in_flight, server,
                              partial(live_sessions, admin, [provider.realm, org.realm]))
    finally:
        if "c" in keys:
            put_back(admin, state)
        print(f"deleting the {len(agents)} agents", file=sys.stderr, flush=True)
        for agent in agents:
            delete_agent(admin, agent, provider.realm, org.id)
    assert_as_deployed(target, state, "the federation was not put back as deployed")
    sessions = live_sessions(admin, [provider.realm, org.realm]) if server else None
    print(report(variants, pool, sessions, soaked, paired))
    if args.chart:
        chart(variants, args.chart)
        print(f"\nChart: {args.chart}", file=sys.stderr)
    failed = [v.title for v in variants if any(p.run.errors or p.run.dropped for p in v.open.values())]
    failed += [f"{p.run.name} rounds" for p in paired or [] if p.run.errors or p.run.dropped]
    if soaked and (soaked[0].run.errors or soaked[0].run.dropped):
        failed.append("the soak")
    if failed:
        print(f"errors or drops in the open loops of: {', '.join(failed)} (see Errors)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
