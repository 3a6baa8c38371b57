"""``./run bench-load``'s measuring and reporting, driven by stand-in journeys (no server): every
phase runs within its bounds, and the tables and the chart come out of what was measured."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from benchmarks.load_journeys import Steps
from benchmarks.load_report import chart, error_table, ramp_table, steps_table, variant_table
from benchmarks.load_run import FRACTIONS, Phase, Plan, Variant, measure, merged
from benchmarks.load_schedule import Outcome, Run

PLAN = Plan(levels=(1, 2, 4), step_s=0.3, open_s=0.3, in_flight=16, warm_up=3)


def _variant(key: str, fail_every: int = 0) -> Variant:
    steps, count, lock = Steps(), itertools.count(1), threading.Lock()

    def job() -> None:
        with lock:
            n = next(count)
        time.sleep(0.005)
        if fail_every and n > PLAN.warm_up and n % fail_every == 0:
            raise RuntimeError("refused by the stand-in")
        steps.add([("GET stand-in: page", 0.005)])

    return measure(Variant(key, f"{key}. stand-in", job, steps), PLAN, server=None)


@pytest.fixture(scope="module")
def variants() -> list[Variant]:
    return [_variant("a"), _variant("b", fail_every=7)]


def test_each_variant_is_ramped_then_driven_at_fractions_of_its_saturation(variants: list[Variant]) -> None:
    for v in variants:
        assert 1 <= len(v.ramp) <= len(PLAN.levels) and set(v.open) == set(FRACTIONS)
        assert v.saturated.run.throughput == max(p.run.throughput for p in v.ramp) > 0
        for fraction, phase in v.open.items():
            assert phase.run.rate == pytest.approx(v.saturated.run.throughput * fraction)
            assert phase.server_cpu_s is None and phase.client_cpu_s >= 0
        assert v.open_steps[FRACTIONS[-1]]["GET stand-in: page"]


def test_the_tables_show_every_variant_and_every_reason(variants: list[Variant]) -> None:
    table = "\n".join(variant_table(variants))
    assert "a. stand-in" in table and "b. stand-in" in table
    assert len(ramp_table(variants)) == 2 + sum(len(v.ramp) for v in variants)
    errors = "\n".join(error_table(variants))
    failures = [row for row in errors.splitlines() if "RuntimeError" in row]
    assert failures and all(row.startswith("| b. stand-in |") for row in failures)
    assert "GET stand-in: page" in "\n".join(steps_table(variants))


def test_the_chart_is_an_svg(variants: list[Variant], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    chart(variants, tmp_path / "load.svg")
    assert (tmp_path / "load.svg").read_text().lstrip().startswith("<?xml")


def test_rounds_merge_into_one_phase_per_variant() -> None:
    rounds = [Phase(Run("b round 1", rate=2.0, outcomes=[Outcome(0, 0.2)], dropped=1, duration_s=10), 3.0, 1.0, None),
              Phase(Run("b round 2", rate=2.0, outcomes=[Outcome(0, 0.4, "x")], duration_s=10), 5.0, 2.0, None)]
    one = merged("b alternating", rounds)
    assert (len(one.run.outcomes), one.run.dropped, one.run.duration_s) == (2, 1, 20)
    assert (one.server_cpu_s, one.client_cpu_s, one.per_journey(one.server_cpu_s)) == (8.0, 3.0, 8.0)
    assert merged("x", [rounds[0], Phase(rounds[1].run, None, 0.0, None)]).server_cpu_s is None
