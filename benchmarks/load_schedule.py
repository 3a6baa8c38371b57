"""When journeys start in a load run, and what each run of them measured.

- **Open loop** (:func:`open_loop`): journeys arrive at a target rate whatever the server answers
  (Poisson arrivals, seeded, or evenly spaced), as agents arriving at 8:30 do. A journey's latency
  runs from the moment it was *due*, so a scheduler held up by a slow server does not hide the
  wait (no coordinated omission). At most ``in_flight`` journeys run at once; an arrival finding
  them all busy is not started and is counted as *dropped*: a rate the server does not keep up with
  shows as drops, never as a quietly lower rate.
- **Closed loop** (:func:`closed_loop`, :func:`keep_ramping`): ``workers`` journeys back to back, each
  starting when the previous one ends; raised step by step until the throughput stops growing,
  which finds the saturation throughput that the open-loop rates are fractions of.

Every run is bounded in count and in time. The job is any callable that raises when the journey
failed; ``describe`` turns that exception into a short reason that errors are grouped by.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

Job = Callable[[], None]
Describe = Callable[[Exception], str]
Progress = Callable[["Run"], None]
PROGRESS_EVERY_S = 2.0


@dataclass(frozen=True)
class Bounds:
    in_flight: int  # journeys running at once, at most
    count: int  # journeys started (or dropped), at most
    seconds: float  # no journey starts after this (those running finish)


@dataclass(frozen=True)
class Outcome:
    due_s: float  # when it was due (open loop) or started (closed loop), from the run's start
    latency_s: float
    error: str | None = None


@dataclass
class Run:
    """The outcomes of one run: an open loop at ``rate`` or a closed loop of ``workers``."""

    name: str
    rate: float | None = None
    workers: int | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    dropped: int = 0
    duration_s: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    @property
    def latencies(self) -> list[float]:
        """Of the journeys that succeeded."""
        return [o.latency_s for o in self.outcomes if o.error is None]

    @property
    def errors(self) -> Counter[str]:
        return Counter(o.error for o in self.outcomes if o.error is not None)

    @property
    def throughput(self) -> float:
        """Successful journeys per second over the run."""
        return len(self.latencies) / self.duration_s if self.duration_s > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        return percentile(self.latencies, p)


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0 to 100), linearly interpolated between the closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def arrival_times(rate: float, bounds: Bounds, poisson: bool = True, seed: int = 0) -> Iterator[float]:
    """Offsets (s from the start) at which journeys are due: ``rate`` a second on average, Poisson
    (exponential gaps, seeded: the same run twice has the same arrivals) or evenly spaced."""
    if rate <= 0:
        raise ValueError(f"an arrival rate must be positive, not {rate}")
    draw = random.Random(seed)  # noqa: S311 (arrival times, not a secret)
    offset = 0.0
    for _ in range(bounds.count):
        if offset >= bounds.seconds:
            return
        yield offset
        offset += draw.expovariate(rate) if poisson else 1 / rate


def _timed(job: Job, describe: Describe, due: float, origin: float, clock: Callable[[], float]) -> Outcome:
    try:
        job()
        error = None
    except Exception as err:  # every failed journey is counted, with why
        error = describe(err)
    return Outcome(due - origin, clock() - due, error)


def _reporter(run: Run, progress: Progress | None, done: threading.Event) -> threading.Thread | None:
    if progress is None:
        return None

    def report() -> None:
        while not done.wait(PROGRESS_EVERY_S):
            progress(run)

    thread = threading.Thread(target=report, name=f"progress-{run.name}", daemon=True)
    thread.start()
    return thread


def open_loop(name: str, job: Job, rate: float, bounds: Bounds, describe: Describe = repr, poisson: bool = True,
              seed: int = 0, progress: Progress | None = None, clock: Callable[[], float] = time.monotonic,
              sleep: Callable[[float], None] = time.sleep) -> Run:
    """Journeys due at ``rate`` a second, within ``bounds``; those finding ``in_flight`` busy are dropped."""
    run = Run(name, rate=rate)
    free = threading.Semaphore(bounds.in_flight)
    done = threading.Event()
    reporter = _reporter(run, progress, done)
    origin = clock()

    def one(due: float) -> None:
        try:
            run.add(_timed(job, describe, due, origin, clock))
        finally:
            free.release()

    with ThreadPoolExecutor(max_workers=bounds.in_flight, thread_name_prefix=name) as pool:
        for offset in arrival_times(rate, bounds, poisson, seed):
            wait = origin + offset - clock()
            if wait > 0:
                sleep(wait)
            if not free.acquire(blocking=False):
                run.dropped += 1
                continue
            pool.submit(one, origin + offset)
    run.duration_s = clock() - origin
    done.set()
    if reporter is not None:
        reporter.join()
    return run


def closed_loop(name: str, job: Job, workers: int, bounds: Bounds, describe: Describe = repr,
                progress: Progress | None = None, clock: Callable[[], float] = time.monotonic) -> Run:
    """``workers`` journeys back to back until ``bounds`` (count started, seconds elapsed)."""
    run = Run(name, workers=workers)
    started = 0
    lock = threading.Lock()
    done = threading.Event()
    reporter = _reporter(run, progress, done)
    origin = clock()

    def worker() -> None:
        nonlocal started
        while clock() - origin < bounds.seconds:
            with lock:
                if started >= bounds.count:
                    return
                started += 1
            run.add(_timed(job, describe, clock(), origin, clock))

    threads = [threading.Thread(target=worker, name=f"{name}-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.duration_s = clock() - origin
    done.set()
    if reporter is not None:
        reporter.join()
    return run


def keep_ramping(throughputs: Sequence[float], min_gain: float = 0.05) -> bool:
    """Whether to raise the workers again after closed loops of these throughputs (in the order
    run): not once the last two levels each added less than ``min_gain`` (a fraction) to the best
    throughput before them (the server is saturated)."""
    flat = 0
    for n, throughput in enumerate(throughputs):
        best = max(throughputs[:n], default=0.0)
        flat = flat + 1 if n and throughput < best * (1 + min_gain) else 0
    return flat < 2


def saturation(runs: Sequence[Run]) -> Run:
    """The closed-loop run with the highest throughput (errors do not count as throughput)."""
    if not runs:
        raise ValueError("no run to find the saturation in")
    return max(runs, key=lambda r: r.throughput)
