"""What the extension costs per login: brokered SAML logins with and without it, side by side.

Usage: ./run bench-extension [LOGINS]   (default 40 per variant; bounded, loopback only)

One agent of cd33 signs in to CDAP through the cd33 realm again and again, each time in a fresh
browser (the whole brokered journey: provider, home login, SAML response, post-broker flow,
assertion to the e-service, checked by pysaml2). Variants alternate in rounds so that a noisy
machine affects both alike:
  - with the extension: the convention gate in the post-broker flow and the habilitation mapper;
  - without: no post-broker flow and Keycloak's own role-list mapper on the client.
The "without" configuration is set through the admin API for the duration of the run and the
federation is put back (and checked) at the end. Prints a Markdown table.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.extension_switch import assert_as_deployed, extension_off, put_back
from conformance.agents import create_agent, delete_agent
from conformance.browser import Browser
from conformance.flows import brokered_saml_login, saml_response_of
from conformance.saml_sp import ServiceProvider, for_service
from trustcircle import ids
from trustcircle.keycloak.admin import Admin
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import SamlService
from trustcircle.pipeline import desired_state_of
from trustcircle.settings import REPO_ROOT
from trustcircle.target import Target

ROUNDS = 4


def _measure(target: Target, cdap: SamlService, agent_login: Callable[[Browser, ServiceProvider], str],
             count: int) -> list[float]:
    times = []
    for _ in range(count):
        sp = for_service(target, cdap)
        started = time.perf_counter()
        assertion = sp.accept(agent_login(Browser(str(target.ca_bundle)), sp))
        times.append(time.perf_counter() - started)
        assert assertion.attributes.get(ids.HABILITATION_ATTRIBUTE), assertion.attributes
    return times


def _row(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
    return (f"| {name} | {len(times)} | {len(times) / sum(times):.2f} | {statistics.median(times) * 1000:.0f} | "
            f"{p95 * 1000:.0f} |")


def main(logins: int) -> None:
    target = Target.load()
    admin = Admin(target)
    federation = load_federation([REPO_ROOT / "realms"])
    cdap = next(s for s in federation.provider("cnaf").services if isinstance(s, SamlService) and s.id == "cdap")
    state = desired_state_of(REPO_ROOT / "realms")
    assert_as_deployed(target, state, "run ./run up first")
    agent = create_agent(admin, "cd33", "cd33.example", ("instructeurs-rsa",))

    def login(browser: Browser, sp: ServiceProvider) -> str:
        return saml_response_of(brokered_saml_login(browser, sp, "cd33", agent), str(cdap.acs_url))

    with_ext: list[float] = []
    without: list[float] = []
    per_round = max(1, logins // ROUNDS)
    try:
        _measure(target, cdap, login, 3)  # warm-up: first broker login, caches, JIT
        for number in range(ROUNDS):
            print(f"  round {number + 1}/{ROUNDS} …", file=sys.stderr, flush=True)
            with_ext += _measure(target, cdap, login, per_round)
            with extension_off(admin, cdap, state):
                without += _measure(target, cdap, login, per_round)
    finally:
        put_back(admin, state)
        delete_agent(admin, agent, "cnaf", "cd33")
    assert_as_deployed(target, state, "the federation was not restored")
    print("| variant | logins | logins/s | median ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(_row("with the extension (gate + habilitation mapper)", with_ext))
    print(_row("without (no post-broker flow, role-list mapper)", without))
    ratio = statistics.median(with_ext) / statistics.median(without)
    print(f"\nMedian latency ratio with/without: {ratio:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
