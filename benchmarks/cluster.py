"""The local cluster, per node (``./run bench-cluster``): how many federated sign-ins and mTLS
client-credentials grants a second it admits through nginx, and what each node, PostgreSQL and nginx
spend on them; the figures ``docs/kubernetes.md`` sets against the capacity model.

Usage: ./run bench-cluster [--levels 2,4] [--seconds S] [--agents N]
(bounded: each level stops after its seconds; loopback only; against ``./run up --cluster``)

Each journey kind (the same as ``./run bench-load``'s b and d: ``benchmarks/load_journeys.py``) runs
in closed loops of LEVELS journeys at once, after a warm-up; around each loop every node's CPU
seconds, PostgreSQL's and nginx's are read from /proc (each process and its children) and each
node's heap from its management port. CPU per journey is the CPU spent over the loop divided by the
journeys that succeeded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from benchmarks.load import GROUP, ORGANISATION, grants
from benchmarks.load_agents import AgentPool
from benchmarks.load_journeys import FederatedLogin
from benchmarks.load_run import describe
from benchmarks.load_schedule import Bounds, Run, closed_loop
from benchmarks.load_server import cpu_seconds, heap_bytes
from conformance.agents import Agent, create_agent, delete_agent
from conformance.conftest import cdap_of
from trustcircle.keycloak.admin import Admin
from trustcircle.local.cluster import LocalCluster, is_cluster
from trustcircle.model.loader import load_federation
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

MIB = 1024 * 1024


@dataclass(frozen=True)
class Reading:
    kind: str
    run: Run
    node_cpu_s: dict[str, float]
    database_cpu_s: float
    balancer_cpu_s: float
    heap_mib: dict[str, float]

    def per_journey_ms(self, seconds: float) -> float:
        done = len(self.run.latencies)
        return seconds / done * 1000 if done else 0.0


def _pids(cluster: LocalCluster) -> dict[str, int]:
    found = {n.name: pid for n in cluster.nodes if (pid := n.pid()) is not None}
    if len(found) != len(cluster.nodes):
        raise SystemExit("a node is not running: ./run up --cluster first")
    return found


def _postgres_pid(cluster: LocalCluster) -> int:
    return int((cluster.postgres.data / "postmaster.pid").read_text().split()[0])


def _measured(cluster: LocalCluster, kind: str, loop: Callable[[], Run]) -> Reading:
    pids, database, balancer = _pids(cluster), _postgres_pid(cluster), cluster.balancer.pid()
    assert balancer is not None, "nginx is not running: ./run up --cluster first"
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    db_before, lb_before = cpu_seconds(database), cpu_seconds(balancer)
    run = loop()
    ca = str(cluster.dir / "tls" / "ca.pem")
    heap = {n.name: (heap_bytes(f"https://{n.config.host}:{n.config.management_port}", ca) or 0) / MIB
            for n in cluster.nodes}
    return Reading(kind, run, {name: cpu_seconds(pid) - before[name] for name, pid in pids.items()},
                   cpu_seconds(database) - db_before, cpu_seconds(balancer) - lb_before, heap)


def table(readings: Sequence[Reading]) -> list[str]:
    names = sorted(readings[0].node_cpu_s) if readings else []
    out = ["| journey | at once | per second | p50 ms | p95 ms | errors | Keycloak CPU ms per journey (all nodes)"
           " | share per node | PostgreSQL CPU ms | nginx CPU ms | heap per node MiB |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |"]
    for r in readings:
        total = sum(r.node_cpu_s.values())
        shares = " / ".join(f"{r.node_cpu_s[n] / total * 100:.0f} %" if total else "-" for n in names)
        p50, p95 = (r.run.percentile(p) or 0.0 for p in (50, 95))
        out.append(f"| {r.kind} | {r.run.workers} | {r.run.throughput:.2f} | {p50 * 1000:.0f} | {p95 * 1000:.0f} "
                   f"| {sum(r.run.errors.values())} | {r.per_journey_ms(total):.0f} | {shares} "
                   f"| {r.per_journey_ms(r.database_cpu_s):.0f} | {r.per_journey_ms(r.balancer_cpu_s):.1f} "
                   f"| {' / '.join(f'{r.heap_mib[n]:.0f}' for n in names)} |")
    return out


def _levels(cluster: LocalCluster, kind: str, job: Callable[[], None], args: argparse.Namespace) -> list[Reading]:
    at_most = max(args.levels)
    print(f"{kind}: warm-up {args.warm_up_s:.0f} s", file=sys.stderr, flush=True)
    closed_loop("warm-up", job, at_most, Bounds(at_most, 10_000, args.warm_up_s), describe)
    readings = []
    for level in args.levels:
        print(f"{kind}: {level} at once for {args.seconds:.0f} s", file=sys.stderr, flush=True)
        readings.append(_measured(cluster, kind, partial(closed_loop, kind, job, level,
                                                         Bounds(level, 100_000, args.seconds), describe)))
    return readings


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./run bench-cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",")], default=[2, 4],
                        help="journeys at once, one closed loop each (2,4)")
    parser.add_argument("--seconds", type=float, default=40, help="seconds of each loop (40)")
    parser.add_argument("--warm-up-s", type=float, default=15, help="seconds of warm-up per journey kind (15)")
    parser.add_argument("--agents", type=int, default=20, help="agents created for the run (20)")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse(argv)
    if not is_cluster():
        raise SystemExit("not the local cluster: ./run bench-cluster runs against ./run up --cluster")
    cluster, target = LocalCluster(), Target.load()
    federation, admin = load_federation([REPO_ROOT / "realms"]), Admin(target)
    org, provider = federation.organisation(ORGANISATION), federation.provider("cnaf")
    assert org.realm is not None
    print(f"creating {args.agents} agents in {org.realm}", file=sys.stderr, flush=True)
    agents: list[Agent] = [create_agent(admin, org.realm, f"{org.id}.example", (GROUP,)) for _ in range(args.agents)]
    readings: list[Reading] = []
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
            sign_in = FederatedLogin(target, cdap_of(federation), ORGANISATION, AgentPool(agents))
            jobs: dict[str, Callable[[], None]] = {
                "federated sign-in (SAML, brokered)": sign_in.prepare(max(args.levels)),
                "client credentials (mTLS)": grants(target, federation, Path(tmp))}
            for kind, job in jobs.items():
                readings += _levels(cluster, kind, job, args)
    finally:
        print(f"deleting the {len(agents)} agents", file=sys.stderr, flush=True)
        for agent in agents:
            delete_agent(admin, agent, provider.realm, org.id)
    print(f"### The local cluster: {len(cluster.nodes)} nodes behind nginx, PostgreSQL\n")
    print("\n".join(table(readings)))
    errors = sum(sum(r.run.errors.values()) for r in readings)
    if errors:
        print(f"\n{errors} journeys failed: {[dict(r.run.errors) for r in readings if r.run.errors]}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
