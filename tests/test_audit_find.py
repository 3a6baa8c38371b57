"""`trustcircle audit find`: transactions by agent, organisation, service, period and outcome."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.audit_lines import LINES, ORGANISATION_OF_REALM, SERVICE_OF_CLIENT
from trustcircle.audit.find import Query, find, render
from trustcircle.audit.people import Directory
from trustcircle.cli import main

PARIS = ZoneInfo("Europe/Paris")


def _ids(query: Query, lines: list[dict[str, object]] = LINES) -> list[str]:
    people = Directory(lines, ORGANISATION_OF_REALM)
    return [f.transaction for f in find(lines, query, people, SERVICE_OF_CLIENT, PARIS)]


@pytest.mark.parametrize(("query", "expected"), [
    (Query(), ["ID_1", "ID_2"]),
    (Query(agent="jdupont"), ["ID_1"]),
    (Query(agent="JDupont"), ["ID_1"]),
    (Query(organisation="ccas-bordeaux"), ["ID_2"]),
    (Query(service="cdap"), ["ID_1", "ID_2"]),
    (Query(service="urn:trustcircle:sp:cdap", outcome="refused"), ["ID_2"]),
    (Query(outcome="ok"), ["ID_1"]),
    (Query(since=dt.date(2026, 11, 24)), ["ID_2"]),
    (Query(until=dt.date(2026, 11, 23)), ["ID_1"]),
    (Query(agent="jdupont", since=dt.date(2026, 11, 24)), []),
])
def test_each_criterion_selects_its_transactions(query: Query, expected: list[str]) -> None:
    assert _ids(query) == expected


def test_a_period_is_read_in_the_federations_time_zone() -> None:
    late = [{**LINES[1], "time": "2026-11-23T23:30:00Z"}]  # already the 24th in Paris
    assert _ids(Query(since=dt.date(2026, 11, 24)), late) == ["ID_1"]
    assert _ids(Query(until=dt.date(2026, 11, 23)), late) == []


def test_transactions_are_listed_by_their_first_event_in_real_time() -> None:
    shuffled = [LINES[4], LINES[3], LINES[0], LINES[1]]
    found = find(shuffled, Query(), Directory(shuffled, ORGANISATION_OF_REALM), SERVICE_OF_CLIENT, PARIS)
    assert [(f.transaction, f.start) for f in found] == [("ID_1", "2026-11-23T10:00:41Z"),
                                                         ("ID_2", "2026-11-24T08:15:00Z")]
    text = render(found)
    assert "| jdupont | cd33 | cdap | ok | 2 | ID_1 |" in text
    assert "| mmartin | ccas-bordeaux | cdap | refused: trustcircle_convention_denied (rule no_convention) |" in text


def test_a_bad_date_is_a_clear_error_not_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text("".join(json.dumps(line) + "\n" for line in LINES))
    with pytest.raises(SystemExit) as done:  # argparse's usage error, as for every date (tests/test_cli_shell.py)
        main(["audit", "find", "--file", str(trail), "--offline", "--from", "23/11/2026"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "Traceback" not in err
    assert "argument --from: '23/11/2026' is not a date written YYYY-MM-DD" in err


def test_the_command_finds_from_the_trail_and_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text("".join(json.dumps(line) + "\n" for line in LINES))
    assert main(["audit", "find", "--file", str(trail), "--offline", "--organisation", "cd33"]) == 0
    assert "| jdupont | cd33 | cdap | ok |" in capsys.readouterr().out
    assert main(["audit", "find", "--file", str(trail), "--offline", "--agent", "nobody"]) == 3
