"""The capacity model: Keycloak's published figures turned into pods, and the docs that show it."""

from __future__ import annotations

import pytest

from trustcircle.k8s import sizing
from trustcircle.k8s.sizing import Workload, size
from trustcircle.settings import REPO_ROOT

AGENTS = [30_000, 100_000]


@pytest.mark.parametrize("agents", AGENTS)
def test_the_peak_stays_within_what_keycloak_tested(agents: int) -> None:
    load = Workload(agents=agents)
    assert load.password_logins_per_s() <= 300          # tested up to 300 logins/s
    assert load.client_credentials_per_s() <= 2_000     # tested up to 2,000 grants/s
    assert load.refreshes_per_s() + load.brokered_logins_per_s() <= 435  # refreshes tested up to 435/s


@pytest.mark.parametrize("agents", AGENTS)
def test_the_cluster_gets_what_the_peak_needs_plus_keycloaks_headroom(agents: int) -> None:
    s = size(Workload(agents=agents))
    assert s.replicas >= 3 and s.max_replicas == 2 * s.replicas
    assert s.replicas * s.cpu_request_m >= s.cluster_vcpu * 1_000
    assert s.cpu_limit_m == pytest.approx(s.cpu_request_m * (1 + sizing.CPU_HEADROOM))
    # one pod lost (upgrade, drained node): the others, up to their limits, still carry the peak
    assert (s.replicas - 1) * s.cpu_limit_m >= s.cluster_vcpu * 1_000


def test_memory_follows_keycloaks_rule() -> None:
    s = size(Workload())
    assert s.memory_request_mib == 1_250
    assert s.memory_limit_mib == 1_360  # (1250 - 300) / 0.7, rounded up to 10 MiB
    assert size(Workload(), memory_request_mib=2_000).memory_limit_mib == 2_430


def test_more_agents_never_mean_fewer_resources() -> None:
    small, large = size(Workload(agents=30_000)), size(Workload(agents=100_000))
    assert large.cluster_vcpu > small.cluster_vcpu
    assert large.replicas * large.cpu_request_m > small.replicas * small.cpu_request_m


def test_a_single_replica_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        size(Workload(), min_replicas=1)


def test_the_docs_show_the_model_as_computed() -> None:
    docs = (REPO_ROOT / "docs" / "kubernetes.md").read_text()
    assert sizing.table([Workload(agents=a) for a in AGENTS]) in docs, \
        "regenerate the table: python -c 'from trustcircle.k8s.sizing import *; print(table(...))'"
    assert sizing.SOURCE in docs
