"""A short load run (``./run bench-load`` in small, about a minute, bounded): federated logins to
CDAP, password logins and mTLS client-credentials grants arriving at modest open-loop rates, all
real journeys. It fails on a journey that fails, or on a leak: an agent left with more than one
session at home or at the provider (the federation's one-session policy), sessions outliving
their deleted agents, or the server's heap (after a full collection) grown beyond a bound once the
load is over. Never on a timing: latencies, throughput and drops (arrivals finding every slot
busy, which a slow machine makes) are printed, not judged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.load import GROUP, ORGANISATION, grants
from benchmarks.load_agents import AgentPool
from benchmarks.load_journeys import FederatedLogin, PasswordLogin
from benchmarks.load_run import describe
from benchmarks.load_schedule import Bounds, Job, Run, closed_loop, open_loop
from benchmarks.load_server import Server, full_gc, heap_bytes, live_sessions, local_server
from conformance.agents import Agent, access_accounts, create_agent, delete_agent
from trustcircle.keycloak.admin import Admin
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target

AGENTS = 10
IN_FLIGHT = 6
HEAP_GROWTH_BOUND = 64 * 1024 * 1024  # bytes still reachable after the load, beyond those before it


@pytest.fixture
def agents(admin: Admin, federation: Federation) -> Iterator[list[Agent]]:
    org = federation.organisation(ORGANISATION)
    assert org.realm is not None
    made = [create_agent(admin, org.realm, f"{org.id}.example", (GROUP,)) for _ in range(AGENTS)]
    yield made
    for agent in made:  # (the test deletes them itself to look after; this is for when it failed first)
        if admin.get(f"/{org.realm}/users/{agent.user_id}", missing_ok=True):
            delete_agent(admin, agent, federation.providers[0].realm, org.id)


def _heap_after_gc(server: Server | None) -> int | None:
    if server is None:
        return None
    full_gc(server.pid)
    return heap_bytes(server.management_url, server.ca_bundle)


def _load(name: str, job: Job, rate: float, seconds: float) -> Run:
    run = open_loop(name, job, rate, Bounds(IN_FLIGHT, int(rate * seconds) + 1, seconds), describe)
    p50, p95 = (run.percentile(p) or 0.0 for p in (50, 95))
    print(f"{name}: {len(run.latencies)} succeeded at {rate}/s offered, p50 {p50 * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, {run.dropped} dropped, errors {dict(run.errors)}")
    return run


def test_a_short_load_has_no_error_and_leaves_no_session_or_heap_behind(
        target: Target, admin: Admin, federation: Federation, cdap: SamlService, agents: list[Agent],
        tmp_path: Path) -> None:
    provider, org = federation.providers[0].realm, federation.organisation(ORGANISATION)
    assert org.realm is not None
    if not (Path(target.ca_bundle).parent / "ca-key.pem").exists():
        pytest.skip("issuing an application's client certificate needs the local CA")
    server = local_server(target)
    realms = [provider, org.realm]
    sessions_before = live_sessions(admin, realms)
    pool = AgentPool(agents)
    federated = FederatedLogin(target, cdap, org.id, pool).prepare(IN_FLIGHT)
    warm = closed_loop("warm-up", federated, 2, Bounds(2, AGENTS, 120), describe)  # first broker logins
    assert not warm.errors, warm.errors
    heap_before = _heap_after_gc(server)

    runs = [_load("federated logins", federated, 2.5, 25), _load("password logins", PasswordLogin(target, pool), 3, 10),
            _load("mTLS grants", grants(target, federation, tmp_path), 8, 10)]
    assert {run.name: dict(run.errors) for run in runs if run.errors} == {}

    at_home = {agent.username: len(admin.get(f"/{org.realm}/users/{agent.user_id}/sessions")) for agent in agents}
    at_provider = {agent.username: sum(len(admin.get(f"/{provider}/users/{user['id']}/sessions"))
                                       for user in access_accounts(admin, agent, provider, org.id)) for agent in agents}
    assert {name: n for name, n in at_home.items() if n > 1} == {}, "more than one session at home"
    assert {name: n for name, n in at_provider.items() if n > 1} == {}, "more than one session at the provider"
    for agent in agents:
        delete_agent(admin, agent, provider, org.id)
    assert live_sessions(admin, realms) <= sessions_before, "sessions outlived their deleted agents"
    heap_after = _heap_after_gc(server)
    if heap_before is not None and heap_after is not None:
        print(f"heap after a full collection: {heap_before >> 20} MiB before the load, {heap_after >> 20} MiB after")
        assert heap_after - heap_before < HEAP_GROWTH_BOUND, (heap_before, heap_after)
