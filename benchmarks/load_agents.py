"""Agents taken in turn by concurrent journeys: never two journeys of one agent at once, and never
one agent signing in again within ``SAME_AGENT_GAP_S`` (Keycloak's brute-force quick-login check
would lock the account; ``conformance/logins.py``).

A journey that finds every agent in a journey does not wait: :class:`NoAgentFree` is raised and
counted among the errors under its own reason, which says the pool is too small, not that the
server failed. One that finds the idle agents still resting waits for the first to be rested; the
pool adds up that wait (``waited_s``), which a pool sized by :func:`pool_size` keeps at zero, so a
report can show that the latencies measured are the server's.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

from conformance.logins import SAME_AGENT_GAP_S

T = TypeVar("T")


class NoAgentFree(RuntimeError):
    """Every agent is in a journey or signed in less than the gap ago: the load generator's limit."""


def pool_size(max_rate: float, in_flight: int, gap_s: float = SAME_AGENT_GAP_S, margin: float = 2.0) -> int:
    """Agents enough for ``max_rate`` journeys a second with ``in_flight`` at once: each agent
    rests ``gap_s`` between two starts, with ``margin`` (Poisson arrivals come in bursts)."""
    return int(max_rate * gap_s * margin) + in_flight + 1


class AgentPool(Generic[T]):
    """The agents in the order they were last used: the one idle longest is taken first."""

    def __init__(self, agents: Sequence[T], gap_s: float = SAME_AGENT_GAP_S,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        if not agents:
            raise ValueError("an agent pool needs at least one agent")
        self.agents = list(agents)
        self.gap_s = gap_s
        self._clock = clock
        self._sleep = sleep
        self._idle: deque[tuple[float, T]] = deque((float("-inf"), agent) for agent in agents)
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def _take(self) -> T:
        while True:
            with self._lock:
                if not self._idle:
                    raise NoAgentFree(f"all {len(self.agents)} agents are in a journey: more agents are needed")
                rest = self._idle[0][0] + self.gap_s - self._clock()
                if rest <= 0:
                    return self._idle.popleft()[1]
                self.waited_s += rest
            self._sleep(rest)

    def _give_back(self, agent: T) -> None:
        with self._lock:
            self._idle.append((self._clock(), agent))

    @contextmanager
    def take(self) -> Iterator[T]:
        """An agent for one journey; it rests from the journey's end on (its sign-in came before)."""
        agent = self._take()
        try:
            yield agent
        finally:
            self._give_back(agent)
