"""Capacity model: trustcircle's peak load for a number of agents, turned into Keycloak pods.

The per-vCPU and memory figures are Keycloak's own, from the High Availability guide, "Concepts for
sizing CPU and memory resources" (single cluster), Keycloak 26:
https://www.keycloak.org/high-availability/single-cluster/concepts-memory-and-cpu-sizing
The workload assumptions (who logs in when, how often tokens are refreshed) are trustcircle's and are
stated beside each field; docs/kubernetes.md explains them and shows the figures for 30,000 and 100,000
agents. Every number can be overridden per stack (``trustcircle:k8s`` → ``workload``, ``keycloak``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SOURCE = "https://www.keycloak.org/high-availability/single-cluster/concepts-memory-and-cpu-sizing"

# Keycloak's published figures (per vCPU of the whole cluster, tested limits in brackets).
PASSWORD_LOGINS_PER_VCPU = 15.0        # password-based user logins per second (tested up to 300/s)
CLIENT_CREDENTIALS_PER_VCPU = 120.0    # client credential grants per second (tested up to 2,000/s)
REFRESH_TOKENS_PER_VCPU = 120.0        # refresh token requests per second (tested up to 435/s)
CPU_HEADROOM = 1.5                     # "leave 150% extra head-room": limit = 2.5 x the expected use
BASE_MEMORY_MIB = 1250                 # per pod, realm caches and 10,000 cached sessions included
NON_HEAP_MIB = 300                     # non-heap memory of the JVM
HEAP_SHARE = 0.7                       # the container image gives the heap 70% of the memory limit


@dataclass(frozen=True)
class Workload:
    """The peak a trustcircle deployment must serve (assumptions, not measurements)."""

    agents: int = 30_000
    peak_share: float = 0.8            # share of agents who start their day within the peak window
    peak_window_s: int = 1_800         # the morning arrival: 30 minutes
    peak_factor: float = 2.0           # the busiest minute of that window against its mean
    brokered_per_login: float = 1.0    # each login continues to the provider realm (identity brokering)
    oidc_share: float = 0.5            # sessions held by OpenID Connect e-services, which refresh tokens
    access_token_lifespan_s: int = 300  # one refresh per OIDC session and access-token lifespan
    api_calls_per_agent_hour: float = 2.0  # web-service API: client-credential grants, spread evenly

    def password_logins_per_s(self) -> float:
        return self.agents * self.peak_share / self.peak_window_s * self.peak_factor

    def brokered_logins_per_s(self) -> float:
        return self.password_logins_per_s() * self.brokered_per_login

    def refreshes_per_s(self) -> float:
        return self.agents * self.peak_share * self.oidc_share / self.access_token_lifespan_s

    def client_credentials_per_s(self) -> float:
        return self.agents * self.api_calls_per_agent_hour / 3_600


@dataclass(frozen=True)
class Sizing:
    """What the model gives for one workload: the cluster's CPU and each Keycloak pod's resources."""

    cluster_vcpu: float
    replicas: int
    max_replicas: int
    cpu_request_m: int
    cpu_limit_m: int
    memory_request_mib: int
    memory_limit_mib: int
    db_pool_size: int

    def resources(self) -> dict[str, dict[str, str]]:
        return {"requests": {"cpu": f"{self.cpu_request_m}m", "memory": f"{self.memory_request_mib}Mi"},
                "limits": {"cpu": f"{self.cpu_limit_m}m", "memory": f"{self.memory_limit_mib}Mi"}}


def cluster_vcpu(load: Workload) -> float:
    """vCPUs the whole cluster uses at peak, from the published per-vCPU rates.

    A brokered login costs no password hash: it is counted at the token-request rate (an assumption)."""
    return (load.password_logins_per_s() / PASSWORD_LOGINS_PER_VCPU
            + (load.brokered_logins_per_s() + load.refreshes_per_s()) / REFRESH_TOKENS_PER_VCPU
            + load.client_credentials_per_s() / CLIENT_CREDENTIALS_PER_VCPU)


def memory_limit_mib(request_mib: int) -> int:
    """Keycloak's rule: the limit is the request less the non-heap memory, divided by the heap share."""
    return int(math.ceil((request_mib - NON_HEAP_MIB) / HEAP_SHARE / 10) * 10)


def size(load: Workload, min_replicas: int = 3, max_cpu_request_m: int = 2_000,
         memory_request_mib: int = BASE_MEMORY_MIB, db_pool_size: int = 30) -> Sizing:
    """Pods for ``load``: at least ``min_replicas`` (one may be down for an upgrade or a drained node),
    more when one pod would need more than ``max_cpu_request_m``; the autoscaler may double them."""
    if min_replicas < 2:
        raise ValueError("a highly available Keycloak needs at least 2 replicas")
    vcpu = cluster_vcpu(load)
    replicas = max(min_replicas, math.ceil(vcpu * 1_000 / max_cpu_request_m))
    request_m = max(500, int(math.ceil(vcpu * 1_000 / replicas / 100) * 100))
    return Sizing(cluster_vcpu=vcpu, replicas=replicas, max_replicas=2 * replicas,
                  cpu_request_m=request_m, cpu_limit_m=int(request_m * (1 + CPU_HEADROOM)),
                  memory_request_mib=memory_request_mib,
                  memory_limit_mib=max(memory_request_mib, memory_limit_mib(memory_request_mib)),
                  db_pool_size=db_pool_size)


def table(loads: list[Workload]) -> str:
    """The capacity model as a Markdown table (docs/kubernetes.md shows it; a test keeps them equal)."""
    rows = ["| agents | password logins/s | brokered logins/s | refreshes/s | client credentials/s "
            "| cluster vCPU | replicas (HPA max) | CPU request/limit per pod | memory request/limit per pod |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for load in loads:
        s = size(load)
        rows.append(f"| {load.agents:,} | {load.password_logins_per_s():.1f} | {load.brokered_logins_per_s():.1f} "
                    f"| {load.refreshes_per_s():.1f} | {load.client_credentials_per_s():.1f} "
                    f"| {s.cluster_vcpu:.2f} | {s.replicas} ({s.max_replicas}) "
                    f"| {s.cpu_request_m}m / {s.cpu_limit_m}m "
                    f"| {s.memory_request_mib}Mi / {s.memory_limit_mib}Mi |")
    return "\n".join(rows)
