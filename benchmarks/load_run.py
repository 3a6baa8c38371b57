"""One variant measured: warm-up, a closed-loop ramp to saturation, then open-loop arrivals at
fractions of it, with the server's CPU and memory read around each phase (``benchmarks/load.py``
runs the variants side by side)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial

from benchmarks.load_journeys import Steps
from benchmarks.load_schedule import Bounds, Job, Run, closed_loop, keep_ramping, open_loop, saturation
from benchmarks.load_server import Sample, Server
from conformance.logins import why

FRACTIONS = (0.5, 0.8)


def client_cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (xmlsec1, run by pysaml2)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def describe(err: Exception) -> str:
    """A failed journey's reason, short and without the agent's name (so that errors group)."""
    return f"{type(err).__name__}: {why(err)}".replace("\n", " ")[:160]


@dataclass
class Phase:
    """One run, and what the server and this process spent during it."""

    run: Run
    server_cpu_s: float | None
    client_cpu_s: float
    after: Sample | None

    def per_journey(self, seconds: float | None) -> float | None:
        succeeded = len(self.run.latencies)
        return seconds / succeeded if seconds is not None and succeeded else None


@dataclass(frozen=True)
class Plan:
    """How a variant is measured."""

    levels: tuple[int, ...]  # closed-loop workers, raised until the throughput stops growing
    step_s: float  # each closed-loop level
    open_s: float  # each open-loop rate
    in_flight: int  # open loop: journeys at once, at most
    warm_up: int  # journeys before measuring, by 2 workers (every agent's first included) ...
    warm_up_s: float = 0.0  # ... then more until this long (the JIT compiles the hot paths)


@dataclass
class Variant:
    key: str
    title: str
    job: Job
    steps: Steps
    ramp: list[Phase] = field(default_factory=list)
    open: dict[float, Phase] = field(default_factory=dict)
    open_steps: dict[float, dict[str, list[float]]] = field(default_factory=dict)  # each step's times

    @property
    def saturated(self) -> Phase:
        best = saturation([p.run for p in self.ramp])
        return next(p for p in self.ramp if p.run is best)

    @property
    def phases(self) -> list[Phase]:
        return [*self.ramp, *self.open.values()]


def _progress(run: Run) -> None:
    errors = sum(run.errors.values())
    done = len(run.outcomes)
    rate = f"{run.rate:.1f}/s offered" if run.rate else f"{run.workers} workers"
    print(f"    {run.name}: {done} done, {errors} failed, {run.dropped} dropped ({rate})", file=sys.stderr, flush=True)


def _measured(server: Server | None, run: Callable[[], Run]) -> Phase:
    before = server.sample() if server else None
    client_before = client_cpu_seconds()
    result = run()
    after = server.sample() if server else None
    server_cpu = after.cpu_s - before.cpu_s if after and before else None
    return Phase(result, server_cpu, client_cpu_seconds() - client_before, after)


def measure(variant: Variant, plan: Plan, server: Server | None) -> Variant:
    """Warm-up, ramp, then the open-loop rates; progress on standard error."""
    print(f"  {variant.title}: warm-up ({plan.warm_up} journeys, at least {plan.warm_up_s:.0f} s)", file=sys.stderr,
          flush=True)
    started = time.monotonic()
    warm = closed_loop(f"{variant.key} warm-up", variant.job, 2, Bounds(2, plan.warm_up, 600), describe)
    more = plan.warm_up_s - (time.monotonic() - started)
    if more > 0 and not warm.errors:
        warm = closed_loop(f"{variant.key} warm-up", variant.job, 2, Bounds(2, 100_000, more), describe)
    if warm.errors:
        raise RuntimeError(f"{variant.title}: the warm-up failed: {dict(warm.errors)}")
    step = Bounds(max(plan.levels), 100_000, plan.step_s)
    for workers in plan.levels:
        print(f"  {variant.title}: closed loop, {workers} at once ({plan.step_s:.0f} s)", file=sys.stderr, flush=True)
        variant.ramp.append(_measured(server, partial(closed_loop, f"{variant.key} x{workers}", variant.job,
                                                      workers, step, describe, _progress)))
        if not keep_ramping([p.run.throughput for p in variant.ramp]):
            break
    top = variant.saturated.run.throughput
    for fraction in FRACTIONS:
        rate = top * fraction
        bounds = Bounds(plan.in_flight, int(rate * plan.open_s * 2) + 10, plan.open_s)
        print(f"  {variant.title}: open loop at {fraction:.0%} of saturation ({rate:.1f}/s)", file=sys.stderr,
              flush=True)
        variant.steps.seconds.clear()
        variant.open[fraction] = _measured(server, partial(open_loop, f"{variant.key} {fraction:.0%}", variant.job,
                                                           rate, bounds, describe, progress=_progress))
        variant.open_steps[fraction] = {name: list(times) for name, times in variant.steps.seconds.items()}
    return variant


@dataclass(frozen=True)
class Reading:
    """The server during a soak: seconds from its start, the process, live sessions."""

    at_s: float
    sample: Sample | None
    sessions: int


def soak(variant: Variant, seconds: float, in_flight: int, server: Server | None, sessions: Callable[[], int],
         every_s: float = 30) -> tuple[Phase, list[Reading]]:
    """Open-loop arrivals at 80 % of the variant's saturation for ``seconds``, the server read every
    ``every_s``: errors and memory over a long run (a leak grows the live data and sessions)."""
    rate = variant.saturated.run.throughput * FRACTIONS[-1]
    readings: list[Reading] = []
    stop = threading.Event()
    origin = time.monotonic()

    def read() -> None:
        while True:
            readings.append(Reading(time.monotonic() - origin, server.sample() if server else None, sessions()))
            if stop.wait(every_s):
                return

    reader = threading.Thread(target=read, name="soak-reader", daemon=True)
    reader.start()
    print(f"  {variant.title}: soak at {rate:.1f}/s for {seconds:.0f} s", file=sys.stderr, flush=True)
    phase = _measured(server, partial(open_loop, f"{variant.key} soak", variant.job, rate,
                                      Bounds(in_flight, int(rate * seconds * 2) + 10, seconds), describe,
                                      progress=_progress))
    stop.set()
    reader.join()
    readings.append(Reading(time.monotonic() - origin, server.sample() if server else None, sessions()))
    return phase, readings


def merged(name: str, phases: Sequence[Phase]) -> Phase:
    """Phases run in rounds, as one: their outcomes, durations, drops and CPU added up."""
    run = Run(name, rate=phases[0].run.rate, workers=phases[0].run.workers)
    for phase in phases:
        run.outcomes += phase.run.outcomes
        run.dropped += phase.run.dropped
        run.duration_s += phase.run.duration_s
    cpu = [p.server_cpu_s for p in phases]
    server_cpu = None if any(c is None for c in cpu) else sum(c or 0.0 for c in cpu)
    return Phase(run, server_cpu, sum(p.client_cpu_s for p in phases), phases[-1].after)


def alternate(variants: Sequence[tuple[Variant, Callable[[], AbstractContextManager[object]]]], rate: float,
              rounds: int, seconds: float, in_flight: int, server: Server | None) -> list[Phase]:
    """The variants' open loops at one ``rate``, in ``rounds`` that alternate between them (each
    variant set up by its context), so that a machine's noise weighs on each alike; one merged phase
    per variant."""
    done: list[list[Phase]] = [[] for _ in variants]
    bounds = Bounds(in_flight, int(rate * seconds * 2) + 10, seconds)
    for number in range(rounds):
        for n, (variant, setting) in enumerate(variants):
            print(f"  round {number + 1}/{rounds}: {variant.title} at {rate:.1f}/s", file=sys.stderr, flush=True)
            with setting():
                done[n].append(_measured(server, partial(open_loop, f"{variant.key} round {number + 1}", variant.job,
                                                         rate, bounds, describe, seed=number, progress=_progress)))
    return [merged(f"{variant.key} alternating", phases) for (variant, _), phases in zip(variants, done, strict=True)]
