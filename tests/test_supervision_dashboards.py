"""The dashboards' figures against a synthetic history whose truth is known, and always within a
perimeter: an organisation outside it is never counted, and a bad filter names its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.supervision_history import ORGANISATIONS, Truth, write
from trustcircle.supervision import dashboards as d
from trustcircle.supervision.ingest import ingest_file
from trustcircle.supervision.store import Store

END = dt.date(2026, 12, 4)
DAYS = 60
SINCE = dt.datetime.combine(END - dt.timedelta(days=DAYS - 1), dt.time(), dt.UTC)
UNTIL = dt.datetime.combine(END + dt.timedelta(days=1), dt.time(), dt.UTC)
EVERYONE = frozenset(ORGANISATIONS)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Truth]]:
    folder = tmp_path_factory.mktemp("supervision")
    truth = write(folder / "events.jsonl", agents=1500, days=DAYS, end=END)
    with Store(folder / "s.duckdb") as store:
        ingest_file(store, folder / "events.jsonl", {o: o for o in ORGANISATIONS})
        yield store, truth


def test_the_agents_who_never_signed_in_are_the_inactive_ones(history: tuple[Store, Truth]) -> None:
    store, truth = history
    found = d.inactive(store, d.Filters.of(EVERYONE, SINCE, UNTIL, limit=1000), truth.roster)
    names = {u for u, _, _ in found}
    expected = {u for a, u, _ in truth.roster if a in truth.inactive}
    assert expected and expected <= names
    assert all(last is None for username, _, last in found if username in expected)  # never: no last sign-in


def test_the_most_active_agents_are_those_with_the_most_consultations(history: tuple[Store, Truth]) -> None:
    store, truth = history
    top = d.most_active(store, d.Filters.of(EVERYONE, SINCE, UNTIL, limit=10))
    counts = sorted(truth.consultations.values(), reverse=True)[:10]
    assert [n for *_, n in top] == counts
    by_name = {f"{o}.{u}": truth.consultations[a] for a, u, o in truth.roster}
    assert all(by_name[u] == n for u, _, _, n in top)


def test_lockouts_are_counted_per_agent(history: tuple[Store, Truth]) -> None:
    store, truth = history
    frozen = d.most_frozen(store, d.Filters.of(EVERYONE, SINCE, UNTIL, limit=1000))
    names = {u: a for a, u, _ in truth.roster}
    assert {names[u]: n for u, _, n in frozen} == dict(truth.lockouts)


def test_a_perimeter_sees_its_own_organisations_only(history: tuple[Store, Truth]) -> None:
    store, truth = history
    own = frozenset({"ccas-bordeaux"})
    top = d.most_active(store, d.Filters.of(own, SINCE, UNTIL, limit=1000))
    assert top and {o for _, o, _, _ in top} == {"ccas-bordeaux"}
    assert {o for _, o, _ in d.inactive(store, d.Filters.of(own, SINCE, UNTIL, limit=1000), truth.roster)} <= own
    months = d.rubriques(store, d.Filters.of(own, SINCE, UNTIL))
    everyone = d.rubriques(store, d.Filters.of(EVERYONE, SINCE, UNTIL))
    assert sum(n for *_, n in months) < sum(n for *_, n in everyone)
    with pytest.raises(d.FilterError) as refused:
        d.Filters.of(own, SINCE, UNTIL, organisation="cd33")
    assert refused.value.field == "organisation"


@pytest.mark.parametrize(("values", "field"), [
    ({"since": "last week"}, "since"), ({"until": "2026-01-01"}, "until"), ({"limit": "ten"}, "limit"),
    ({"limit": "0"}, "limit"), ({"client": ""}, "client"), ({"perimeter": ()}, "perimeter")])
def test_a_bad_filter_names_its_field(values: dict[str, object], field: str) -> None:
    given: dict[str, object] = {"perimeter": EVERYONE, "since": "2026-06-01", "until": "2026-12-04", **values}
    with pytest.raises(d.FilterError) as refused:
        d.Filters.of(**given)  # type: ignore[arg-type]
    assert refused.value.field == field and str(refused.value).startswith(f"{field}: ")


def test_the_figures_are_the_store_s_in_a_period(history: tuple[Store, Truth]) -> None:
    store, _ = history
    last_week = d.Filters.of(EVERYONE, UNTIL - dt.timedelta(days=7), UNTIL, limit=1000)
    weekly = sum(n for *_, n in d.most_active(store, last_week))
    total = sum(n for *_, n in d.most_active(store, d.Filters.of(EVERYONE, SINCE, UNTIL, limit=1000)))
    assert 0 < weekly < total


def _direct(store: Store) -> list[tuple[str, str, int]]:
    rows = store.db.execute(
        "SELECT strftime(occurred, '%Y-%m') AS m, r, count(*) AS n FROM (SELECT occurred, unnest(rubriques) AS r "
        "FROM events WHERE kind = 'api') GROUP BY m, r ORDER BY m, n DESC, r").fetchall()
    return [(str(m), str(r), int(n)) for m, r, n in rows]


def test_the_daily_counts_kept_at_ingest_are_the_events_own_even_read_in_pieces(tmp_path: Path) -> None:
    write(tmp_path / "all.jsonl", agents=300, days=50, end=END)
    lines = (tmp_path / "all.jsonl").read_text().splitlines(keepends=True)
    trail = tmp_path / "events.jsonl"
    with Store(tmp_path / "s.duckdb") as store:
        for piece in (lines[: len(lines) // 3], lines[len(lines) // 3: len(lines) // 2], lines[len(lines) // 2:]):
            with trail.open("a") as out:
                out.writelines(piece)
            ingest_file(store, trail, {o: o for o in ORGANISATIONS})
        ingest_file(store, tmp_path / "all.jsonl", {o: o for o in ORGANISATIONS})  # the same events again
        _same_as_the_events(store)
        store.purge(22, now=dt.datetime.combine(END, dt.time(12), dt.UTC))  # 12 November, a working day, at noon
        _same_as_the_events(store)


def _same_as_the_events(store: Store) -> None:
    everything = d.Filters.of(EVERYONE, SINCE - dt.timedelta(days=30), UNTIL, limit=1000)
    assert d.rubriques(store, everything) == _direct(store)
    actions = store.db.execute("SELECT username, organisation, client, count(*) AS n FROM events WHERE kind = 'api' "
                               "GROUP BY ALL ORDER BY n DESC, username LIMIT 1000").fetchall()
    assert d.most_active(store, everything) == [(str(u), str(o), str(c), int(n)) for u, o, c, n in actions]
    logins = store.db.execute("SELECT agent, max(occurred) FROM events WHERE type = 'LOGIN' GROUP BY agent").fetchall()
    late = d.Filters.of(EVERYONE, UNTIL - dt.timedelta(days=1), UNTIL, limit=1000)
    roster = [(str(a), f"name-{a}", "cd33") for a, _ in logins]
    last = {u: when for u, _, when in d.inactive(store, late, roster)}
    assert all(last[f"name-{a}"] == when for a, when in logins if f"name-{a}" in last) and last
