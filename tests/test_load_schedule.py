"""The load generator's own logic (``./run bench-load``): arrivals, bounds, percentiles, when the
ramp stops, the agent pool's rests, and what is read from /proc and the metrics. No server here:
``conformance/test_load.py`` drives the real journeys."""

from __future__ import annotations

import threading

import pytest

from benchmarks.load_agents import AgentPool, NoAgentFree, pool_size
from benchmarks.load_journeys import step_of
from benchmarks.load_schedule import (
    Bounds,
    Outcome,
    Run,
    arrival_times,
    closed_loop,
    keep_ramping,
    open_loop,
    percentile,
    saturation,
)
from benchmarks.load_server import heap_used_bytes, live_data_bytes, resident_bytes, stat_ticks


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_percentiles_interpolate_between_ranks() -> None:
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert percentile(values, 0) == 0.1 and percentile(values, 100) == 0.5
    assert percentile(values, 50) == pytest.approx(0.3)
    assert percentile(values, 95) == pytest.approx(0.48)
    assert percentile([], 50) is None


def test_even_arrivals_stop_at_the_count_or_the_time() -> None:
    assert list(arrival_times(10, Bounds(1, 5, 100), poisson=False)) == pytest.approx([0, 0.1, 0.2, 0.3, 0.4])
    assert len(list(arrival_times(10, Bounds(1, 1000, 0.25), poisson=False))) == 3


def test_poisson_arrivals_are_seeded_and_average_the_rate() -> None:
    first = list(arrival_times(20, Bounds(1, 4000, 1e9), seed=7))
    assert first == list(arrival_times(20, Bounds(1, 4000, 1e9), seed=7))
    assert first != list(arrival_times(20, Bounds(1, 4000, 1e9), seed=8))
    assert first[-1] / (len(first) - 1) == pytest.approx(1 / 20, rel=0.1)
    with pytest.raises(ValueError, match="positive"):
        next(arrival_times(0, Bounds(1, 1, 1)))


def test_open_loop_drops_arrivals_that_find_every_slot_busy() -> None:
    gate, running, most = threading.Event(), [0], [0]
    lock = threading.Lock()

    def job() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        gate.wait(10)
        with lock:
            running[0] -= 1

    clock = FakeClock()
    timer = threading.Timer(2.0, gate.set)  # long after the 20 arrivals (the fake clock does not sleep)
    timer.start()
    run = open_loop("t", job, 1000, Bounds(3, 20, 60), poisson=False, clock=clock, sleep=clock.sleep)
    timer.cancel()
    assert most[0] <= 3
    assert len(run.outcomes) + run.dropped == 20
    assert len(run.outcomes) == 3 and run.dropped == 17
    assert all(o.error is None for o in run.outcomes)


def test_open_loop_counts_latency_from_when_a_journey_was_due_and_errors_by_reason() -> None:
    clock = FakeClock()
    calls = [0]

    def job() -> None:
        calls[0] += 1
        if calls[0] % 2:
            raise RuntimeError("refused")

    run = open_loop("t", job, 4, Bounds(4, 4, 60), describe=str, poisson=False, clock=clock, sleep=clock.sleep)
    assert sorted(o.due_s for o in run.outcomes) == [0, 0.25, 0.5, 0.75]
    assert run.errors == {"refused": 2} and len(run.latencies) == 2
    assert run.duration_s == pytest.approx(0.75)


def test_closed_loop_starts_no_more_than_its_count_with_its_workers() -> None:
    running, most = [0], [0]
    lock = threading.Lock()

    def job() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        with lock:
            running[0] -= 1

    run = closed_loop("t", job, 3, Bounds(3, 10, 60))
    assert len(run.outcomes) == 10 and most[0] <= 3 and run.workers == 3


def _run(throughput: float, workers: int) -> Run:
    run = Run("r", workers=workers, outcomes=[Outcome(0, 0.1)] * int(throughput * 10), duration_s=10)
    run.outcomes.append(Outcome(0, 0.1, "failed"))  # an error is no throughput
    return run


def test_the_ramp_stops_after_two_levels_without_gain() -> None:
    assert keep_ramping([10, 19])
    assert keep_ramping([10, 19, 19.5])  # one flat level: maybe noise
    assert not keep_ramping([10, 19, 19.5, 19.8])
    assert keep_ramping([10, 19, 19.5, 25])  # it grew again
    runs = [_run(t, w) for t, w in ((10, 1), (19, 2), (19.5, 3), (19.8, 4))]
    assert saturation(runs).workers == 4 and saturation(runs).throughput == pytest.approx(19.8)


def test_the_pool_never_lends_an_agent_twice_or_before_its_rest() -> None:
    clock = FakeClock()
    pool = AgentPool(["x", "y"], gap_s=1.5, clock=clock, sleep=clock.sleep)
    with pool.take() as first, pool.take() as second:
        assert {first, second} == {"x", "y"}
        with pytest.raises(NoAgentFree), pool.take():
            pass
    clock.now += 0.5
    with pool.take() as again:  # both rest: it waits for the one given back first
        assert again == "y" and clock.now == pytest.approx(1.5)
    assert pool.waited_s == pytest.approx(1.0)


def test_the_pool_size_covers_the_rate_and_the_journeys_at_once() -> None:
    assert pool_size(10, 8, gap_s=1.5, margin=2) == 30 + 8 + 1


def test_steps_are_named_by_realm_and_endpoint_without_query() -> None:
    assert step_of("GET", "https://127.0.0.1:8443/realms/cnaf/broker/cd33/login?session_code=x") == \
        "GET cnaf: broker/cd33/login"
    assert step_of("POST", "https://127.0.0.1:8443/other") == "POST /other"


def test_proc_and_metrics_are_read_as_the_kernel_and_keycloak_write_them() -> None:
    stat = "4242 (java (kc)) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 80 0 100 200 300"
    assert stat_ticks(stat) == 300
    assert resident_bytes("Name:\tjava\nVmRSS:\t  2048 kB\n") == 2 * 1024 * 1024
    assert resident_bytes("Name:\tzombie\n") == 0
    metrics = ('jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1.5E7\n'
               'jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 5000000.0\n'
               'jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 9.0E7\n'
               '# TYPE jvm_gc_live_data_size_bytes gauge\njvm_gc_live_data_size_bytes 1.2E8\n')
    assert heap_used_bytes(metrics) == 20_000_000
    assert live_data_bytes(metrics) == 120_000_000
    assert heap_used_bytes("# nothing\n") is None
