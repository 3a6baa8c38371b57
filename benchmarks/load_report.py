"""What ``./run bench-load`` prints and draws: Markdown tables (per variant, errors with their
reasons, where a federated login's time goes) and a chart (matplotlib, written as SVG, or PNG by the file's name)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.load_run import FRACTIONS, Phase, Reading, Variant
from benchmarks.load_schedule import Run

MIB = 1024 * 1024
PERCENTILES = (50, 95, 99)


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.0f}"


def _latencies(run: Run) -> str:
    return " / ".join(_ms(run.percentile(p)) for p in PERCENTILES)


def _failed(phases: Sequence[Phase]) -> str:
    attempts = sum(len(p.run.outcomes) + p.run.dropped for p in phases)
    failed = sum(sum(p.run.errors.values()) for p in phases)
    dropped = sum(p.run.dropped for p in phases)
    return f"{failed} + {dropped} dropped / {attempts}"


def variant_table(variants: Sequence[Variant]) -> list[str]:
    """One row a variant: saturation, latencies at 50 % and 80 % of it, errors, CPU, memory."""
    head = ("| variant | saturation /s (workers) | p50 / p95 / p99 ms at 50 % | p50 / p95 / p99 ms at 80 % "
            "| errors + dropped / attempts | Keycloak CPU ms per journey (at 80 %) | load generator CPU ms per journey "
            "| Keycloak RSS / heap MiB after |")
    rows = [head, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for v in variants:
        top, at80 = v.saturated, v.open[FRACTIONS[-1]]
        after = v.phases[-1].after
        memory = "" if after is None else f"{after.rss_bytes / MIB:.0f} / {_mib(after.heap_bytes)}"
        at50 = v.open[FRACTIONS[0]]
        rows.append(f"| {v.title} | {top.run.throughput:.1f} ({top.run.workers}) | {_latencies(at50.run)} "
                    f"| {_latencies(at80.run)} | {_failed(v.phases)} | {_ms(at80.per_journey(at80.server_cpu_s))} "
                    f"| {_ms(at80.per_journey(at80.client_cpu_s))} | {memory} |")
    return rows


def paired_table(phases: Sequence[Phase], titles: Sequence[str]) -> list[str]:
    """Phases at one rate side by side: latencies, errors, CPU per journey."""
    rows = ["| variant | journeys | offered /s | p50 / p95 / p99 ms | errors + dropped / attempts "
            "| Keycloak CPU ms per journey | load generator CPU ms per journey |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for title, phase in zip(titles, phases, strict=True):
        rows.append(f"| {title} | {len(phase.run.latencies)} | {phase.run.rate or 0:.1f} | {_latencies(phase.run)} "
                    f"| {_failed([phase])} | {_ms(phase.per_journey(phase.server_cpu_s))} "
                    f"| {_ms(phase.per_journey(phase.client_cpu_s))} |")
    return rows


def overhead(with_it: Phase, without: Phase, how: str = "alternating rounds at one rate") -> list[str]:
    """What the extension adds, with against without: median latency and Keycloak CPU per login."""
    medians = [p.run.percentile(50) for p in (with_it, without)]
    cpu = [p.per_journey(p.server_cpu_s) for p in (with_it, without)]
    if not (medians[0] and medians[1]):
        return []
    return [f"- extension overhead ({how}): median latency {medians[0] / medians[1] - 1:+.1%}"
            + (f", Keycloak CPU per login {cpu[0] / cpu[1] - 1:+.1%}" if cpu[0] and cpu[1] else "")]


def ramp_table(variants: Sequence[Variant]) -> list[str]:
    """The closed-loop ramp: throughput and median at each number of workers."""
    rows = ["| variant | workers | journeys/s | p50 ms | p95 ms | Keycloak CPU ms per journey |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for v in variants:
        for phase in v.ramp:
            run = phase.run
            rows.append(f"| {v.title} | {run.workers} | {run.throughput:.1f} | {_ms(run.percentile(50))} "
                        f"| {_ms(run.percentile(95))} | {_ms(phase.per_journey(phase.server_cpu_s))} |")
    return rows


def error_table(variants: Sequence[Variant]) -> list[str]:
    """Every failure's reason, with how often it came, per variant and phase."""
    rows = ["| variant | phase | count | reason |", "| --- | --- | ---: | --- |"]
    for v in variants:
        for phase in v.phases:
            reasons: Counter[str] = phase.run.errors
            if phase.run.dropped:
                reasons = reasons + Counter({"dropped: every in-flight slot busy when it was due": phase.run.dropped})
            rows += [f"| {v.title} | {phase.run.name} | {n} | {reason.replace('|', '/')} |"
                     for reason, n in reasons.most_common()]
    return rows if len(rows) > 2 else [*rows, "| (none) | | 0 | |"]


def steps_table(variants: Sequence[Variant], fraction: float = FRACTIONS[-1]) -> list[str]:
    """Median time of each step of the journeys at ``fraction`` of saturation, variants side by side."""
    names = list(dict.fromkeys(name for v in variants for name in v.open_steps.get(fraction, {})))
    rows = ["| step | " + " | ".join(v.title for v in variants) + " |",
            "| --- |" + " ---: |" * len(variants)]
    for name in names:
        cells = [v.open_steps.get(fraction, {}).get(name) for v in variants]
        rows.append(f"| {name} | " + " | ".join(_ms(statistics.median(c)) if c else "" for c in cells) + " |")
    return rows


def chart(variants: Sequence[Variant], path: Path) -> None:
    """Two panels: the ramp's throughput by workers, and the latency percentiles at 50 % and 80 %."""
    import matplotlib  # lazily: only the chart needs it (pinned in requirements.lock)

    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "trustcircle", "font.size": 9})
    from matplotlib import pyplot
    from matplotlib.ticker import ScalarFormatter

    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    for v in variants:
        left.plot([p.run.workers for p in v.ramp], [p.run.throughput for p in v.ramp], marker="o", label=v.title)
    left.set(xlabel="journeys at once (closed loop)", ylabel="successful journeys per second (log scale)",
             yscale="log", title="Throughput up to saturation")
    left.legend(fontsize=7)
    width = 0.8 / len(variants)
    labels = [f"p{p}\nat {f:.0%}" for f in FRACTIONS for p in PERCENTILES]
    for n, v in enumerate(variants):
        values = [(v.open[f].run.percentile(p) or 0) * 1000 for f in FRACTIONS for p in PERCENTILES]
        right.bar([x + n * width for x in range(len(labels))], values, width, label=v.title)
    right.set_xticks([x + width * (len(variants) - 1) / 2 for x in range(len(labels))], labels)
    right.set(ylabel="latency, ms (log scale)", yscale="log", title="Open-loop latency at a share of saturation")
    for axis in (left.yaxis, right.yaxis):
        axis.set_major_formatter(ScalarFormatter())
        axis.set_minor_formatter(ScalarFormatter())
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    kind = path.suffix.lstrip(".") or "svg"  # SVG (text, diffable) unless the name says png
    figure.savefig(path, format=kind, metadata={"Date": None} if kind == "svg" else {"Software": None}, dpi=110)
    pyplot.close(figure)


def soak_table(phase: Phase, readings: Sequence[Reading]) -> list[str]:
    """The soak: its outcome, then the server read at intervals."""
    run = phase.run
    rows = [f"{len(run.latencies)} journeys succeeded at {run.rate or 0:.1f}/s offered over {run.duration_s:.0f} s, "
            f"{sum(run.errors.values())} failed, {run.dropped} dropped; p50 / p95 / p99 {_latencies(run)} ms; "
            f"Keycloak CPU {_ms(phase.per_journey(phase.server_cpu_s))} ms per journey.", "",
            "| at s | Keycloak RSS MiB | heap in use MiB | old generation after GC MiB | live client sessions |",
            "| ---: | ---: | ---: | ---: | ---: |"]
    for r in readings:
        s = r.sample
        cells = ["", "", ""] if s is None else [f"{s.rss_bytes / MIB:.0f}", _mib(s.heap_bytes), _mib(s.live_bytes)]
        rows.append(f"| {r.at_s:.0f} | " + " | ".join(cells) + f" | {r.sessions} |")
    return rows


def _mib(value: int | None) -> str:
    return "" if value is None else f"{value / MIB:.0f}"
