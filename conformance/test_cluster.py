"""The local cluster outlives a node (``./run test-cluster``; the short version in ``./run test``).

While agents keep signing in to CDAP through their organisation (brokered SAML, the real journey:
``conformance.logins.LoginLoop``) and an application keeps asking for tokens over mutual TLS, a
node is killed with SIGKILL, as a machine that goes away, and later started again; then every node
is restarted in turn, as an upgrade or a configuration change does (``./run cluster restart``:
nginx sends the node no new request, the node stops, starts, is ready, is taken back).

What must hold, counted from the outside:
- no agent loses an established session: agents signed in before the kill are signed in to CDAP
  again afterwards without being asked for anything, in the same session at the provider;
- new sign-ins and token requests fail only around the kill (those the killed node was serving),
  never later than ``OUTAGE_BOUND_S`` after it; a rolling restart fails none at all;
- the killed node rejoins: every node sees all of them (Keycloak's own ``vendor_cluster_size``);
- the audit trail loses no event of a surviving node: every sign-in that succeeded has its LOGIN
  event in the home realm, in one of the nodes' trails.

Skipped unless the target is the local cluster (``./run up --cluster``'s state directory).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from benchmarks.load import grants
from benchmarks.load_journeys import ClientCredentials
from conformance.agents import Agent
from conformance.browser import Browser
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.logins import EService, LoginLoop, why
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle.errors import LocalServerError
from trustcircle.keycloak.admin import Admin, q
from trustcircle.local.cluster import LocalCluster, is_cluster
from trustcircle.model.schema import Federation, SamlService
from trustcircle.target import Target

pytestmark = pytest.mark.skipif(not is_cluster(), reason="the target is not the local cluster: ./run test-cluster")

FULL = os.environ.get("TRUSTCIRCLE_CLUSTER_FULL") == "1"  # ./run test-cluster: longer, every node killed once
HOME, GROUP = "cd33", "instructeurs-rsa"
LOOP_AGENTS = 4
SESSIONS = 3  # agents signed in before the kill, who must stay signed in
OUTAGE_BOUND_S = 10.0  # "new logins fail for at most a few seconds"
GRANT_GAP_S = 0.5
MAX_S = 900


@dataclass
class GrantLoop:
    """Client-credentials grants over mutual TLS, one after the other, until stopped."""

    grant: ClientCredentials
    outcomes: list[tuple[float, str | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> GrantLoop:
        self._thread = threading.Thread(target=self._run, name="grant-loop", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        deadline = time.monotonic() + MAX_S
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                self.grant()
                self.outcomes.append((time.time(), None))
            except Exception as err:  # every failed grant is counted, with why
                self.outcomes.append((time.time(), f"{type(err).__name__}: {why(err)}"))
            self._stop.wait(GRANT_GAP_S)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    @property
    def failures(self) -> list[tuple[float, str]]:
        return [(at, reason) for at, reason in self.outcomes if reason is not None]


@dataclass
class Established:
    """An agent signed in to CDAP before the failure: their browser, the e-service, their session."""

    agent: Agent
    browser: Browser
    sp: ServiceProvider
    user_id: str  # at the provider
    session: str  # the provider's session id


@pytest.fixture(scope="module")
def cluster() -> LocalCluster:
    return LocalCluster()


@pytest.fixture
def service(target: Target, cdap: SamlService) -> Callable[[], EService]:
    return lambda: EService(lambda: for_service(target, cdap), str(cdap.acs_url))


@pytest.fixture
def loops(target: Target, federation: Federation, service: Callable[[], EService],
          make_agent: Callable[..., Agent], tmp_path: Path) -> Iterator[tuple[LoginLoop, GrantLoop]]:
    agents = [make_agent(HOME, GROUP) for _ in range(LOOP_AGENTS)]
    signing_in = LoginLoop(service(), str(target.ca_bundle), HOME, agents, 2000, MAX_S).start()
    granting = GrantLoop(grants(target, federation, tmp_path)).start()
    # every agent's first sign-in (which creates their access account at the provider) before any
    # failure: an interrupted first sign-in is another matter (docs/cluster.md, limits)
    signing_in.wait_for(LOOP_AGENTS + 1)
    yield signing_in, granting
    signing_in.stop()
    granting.stop()


def _establish(target: Target, admin: Admin, cdap: SamlService, agent: Agent) -> Established:
    browser, sp = Browser(str(target.ca_bundle), retry_closed_handshakes=True), for_service(target, cdap)
    sp.accept(saml_response_of(brokered_saml_login(browser, sp, HOME, agent), str(cdap.acs_url)))
    user = next(u for u in admin.get(f"/cnaf/users?email={q(agent.email)}&exact=true") if u.get("email") == agent.email)
    sessions = [s["id"] for s in admin.get(f"/cnaf/users/{user['id']}/sessions")]
    assert len(sessions) == 1, sessions
    return Established(agent, browser, sp, user["id"], sessions[0])


def _lost(admin: Admin, cdap: SamlService, e: Established) -> str | None:
    """Why the agent's established session is lost, or None: CDAP signs them in again with no
    question asked (the provider's session cookie), and the provider holds the same session."""
    try:
        page = e.browser.get(e.sp.login_url())
        e.sp.accept(saml_response_of(page, str(cdap.acs_url)))
    except Exception as err:
        return f"{e.agent.username}: not signed in again without a question: {type(err).__name__}: {why(err)}"
    sessions = [s["id"] for s in admin.get(f"/cnaf/users/{e.user_id}/sessions")]
    return None if sessions == [e.session] else f"{e.agent.username}: provider sessions {sessions}, was {e.session}"


def _membership(cluster: LocalCluster, ca: Path) -> dict[str, int | None]:
    return {n.name: n.cluster_size(ca) for n in cluster.nodes}


def _logins_in_audit(cluster: LocalCluster) -> Counter[str]:
    """LOGIN events in the home realm in every node's trail, by username (the loop's agents are
    made for the test: every such event is one of its sign-ins)."""
    found: Counter[str] = Counter()
    for node in cluster.nodes:
        if not node.audit_file.exists():
            continue
        for line in node.audit_file.read_text().splitlines():
            event = json.loads(line)
            if event.get("type") == "LOGIN" and event.get("realm") == HOME:
                found[event.get("details", {}).get("username", "")] += 1
    return found


def _refused_while_its_port_is_taken(cluster: LocalCluster, name: str) -> None:
    """Another program on the node's port: starting it says so, and how to move the cluster's ports."""
    node = cluster.node(name)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind((node.config.host, node.config.port))
        squatter.listen()
        with pytest.raises(LocalServerError) as refused:
            cluster.start_node(name)
    assert f"port 127.0.0.1:{node.config.port} is already in use" in str(refused.value)
    assert "TRUSTCIRCLE_CLUSTER_PORT" in (refused.value.hint or "")
    assert node.pid() is None


def _report(name: str, signing_in: LoginLoop, granting: GrantLoop, kills: list[float]) -> None:
    """What the loops counted, each failure timed from the nearest kill (or by the clock)."""
    def when(at: float) -> str:
        if not kills:
            return time.strftime("%H:%M:%S", time.localtime(at))
        nearest = min(kills, key=lambda k: abs(at - k))
        return f"{at - nearest:+.1f} s from the kill at {time.strftime('%H:%M:%S', time.localtime(nearest))}"

    print(f"\n{name}: {signing_in.attempts} sign-ins, {len(signing_in.failures)} failed; "
          f"{len(granting.outcomes)} token requests, {len(granting.failures)} failed")
    for at, who, reason in signing_in.outcomes:
        if reason is not None:
            print(f"  sign-in {who} at {when(at)}: {reason[:300]}")
    for at, reason in granting.failures:
        print(f"  token request at {when(at)}: {reason[:300]}")


def _audit_has_every_sign_in(cluster: LocalCluster, signing_in: LoginLoop) -> None:
    succeeded = Counter(who for _, who, reason in signing_in.outcomes if reason is None)
    logged = _logins_in_audit(cluster)
    missing = {who: n - logged[who] for who, n in succeeded.items() if logged[who] < n}
    assert not missing, f"sign-ins with no LOGIN event in any node's audit trail: {missing}"


def test_a_node_killed_loses_no_established_session_and_sign_ins_recover_within_seconds(
        cluster: LocalCluster, target: Target, admin: Admin, cdap: SamlService, make_agent: Callable[..., Agent],
        loops: tuple[LoginLoop, GrantLoop]) -> None:
    signing_in, granting = loops
    established = [_establish(target, admin, cdap, make_agent(HOME, GROUP)) for _ in range(SESSIONS)]
    victims = cluster.nodes if FULL else cluster.nodes[-1:]
    lost: list[str] = []
    kills: list[float] = []
    for victim in victims:
        signing_in.wait_for(3)
        kills.append(time.time())
        victim.kill()
        signing_in.wait_for(12 if FULL else 6)
        lost += [why for e in established if (why := _lost(admin, cdap, e)) is not None]
        _refused_while_its_port_is_taken(cluster, victim.name)
        cluster.start_node(victim.name)  # the loops go on while it starts and joins
        signing_in.wait_for(3)
    signing_in.stop()
    granting.stop()
    _report(f"{len(kills)} node(s) killed and started again", signing_in, granting, kills)

    assert lost == [], "\n".join(lost)
    late = [f"{who} at {time.strftime('%H:%M:%S', time.localtime(at))}: {reason}"
            for at, who, reason in signing_in.outcomes
            if reason is not None and not any(k - 1 <= at <= k + OUTAGE_BOUND_S for k in kills)]
    late += [f"token request at {time.strftime('%H:%M:%S', time.localtime(at))}: {reason}"
             for at, reason in granting.failures if not any(k - 1 <= at <= k + OUTAGE_BOUND_S for k in kills)]
    assert late == [], "failures outside the kill's first seconds:\n" + "\n".join(late)
    after = [at for at, _, reason in signing_in.outcomes if reason is None and at > kills[-1] + OUTAGE_BOUND_S]
    assert len(after) >= 3, f"only {len(after)} sign-ins succeeded after the last kill's first seconds"
    members = _membership(cluster, target.ca_bundle)
    assert set(members.values()) == {len(cluster.nodes)}, f"cluster views after the rejoin: {members}"
    _audit_has_every_sign_in(cluster, signing_in)


def test_a_rolling_restart_fails_no_sign_in_and_no_token_request(
        cluster: LocalCluster, target: Target, loops: tuple[LoginLoop, GrantLoop]) -> None:
    signing_in, granting = loops
    restarted = cluster.rolling_restart()
    signing_in.wait_for(3)
    signing_in.stop()
    granting.stop()
    _report("rolling restart", signing_in, granting, [])

    assert restarted == [n.name for n in cluster.nodes]
    assert signing_in.failures == [], "\n".join(signing_in.failures)
    assert granting.failures == [], "\n".join(f"{at}: {reason}" for at, reason in granting.failures)
    assert signing_in.attempts >= 10, f"the loop ran only {signing_in.attempts} sign-ins"
    members = _membership(cluster, target.ca_bundle)
    assert set(members.values()) == {len(cluster.nodes)}, f"cluster views after the restart: {members}"
    _audit_has_every_sign_in(cluster, signing_in)


def _listening(pids: list[int]) -> set[tuple[str, int]]:
    """The TCP addresses (host, port) these processes listen on (``/proc/net/tcp*``, state 0A)."""
    inodes: set[str] = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A" or fields[9] not in inodes:
                continue
            address, port = fields[1].split(":")
            found.add((_host(address, width), int(port, 16)))
    return found


def _host(hexa: str, width: int) -> str:
    raw = bytes.fromhex(hexa)
    if width == 8:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    text = socket.inet_ntop(socket.AF_INET6, words)
    return text.removeprefix("::ffff:")


def test_nothing_of_the_cluster_listens_beyond_loopback(cluster: LocalCluster) -> None:
    from benchmarks.load_server import process_tree

    roots = [p for p in (*(n.pid() for n in cluster.nodes), cluster.balancer.pid(), cluster.mail.pid()) if p]
    postgres = int((cluster.postgres.data / "postmaster.pid").read_text().split()[0])
    pids = [pid for root in [*roots, postgres] for pid in process_tree(root)]
    found = _listening(pids)
    assert {port for _, port in found} >= {cluster.config.port, cluster.config.postgres_port,
                                           *(cluster.config.node(n).port for n in range(1, len(cluster.nodes) + 1))}
    assert {host for host, _ in found} == {"127.0.0.1"}, sorted(found)
