"""The supervision ingest on files an audit trail really holds: read incrementally, never an event
twice (re-run, rotated copy, file replaced), a bad line named by file and line and skipped, an
unfinished last line left for the next run, and nothing kept beyond the retention or beyond what
the dashboards need."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trustcircle.supervision.ingest import ingest, ingest_file, row
from trustcircle.supervision.store import Store

NOW = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def login(number: int, days_ago: int = 0, **extra: Any) -> str:
    when = (NOW - dt.timedelta(days=days_ago, seconds=number)).isoformat().replace("+00:00", "Z")
    record = {"time": when, "kind": "user", "realm": "cnaf", "type": "LOGIN", "client": "urn:trustcircle:sp:cdap",
              "user": f"u-{number}", "user_session": f"s-{number}", "ip": "192.0.2.7",
              "details": {"username": f"agent-{number}", "identity_provider": "cd33", "code_id": "c"}, **extra}
    return json.dumps(record) + "\n"


def api_call(number: int) -> str:
    return json.dumps({"time": "2026-12-04T08:30:00.125Z", "kind": "api", "realm": "cnaf", "type": "API_CALL",
                       "client": "urn:trustcircle:app:cd33:gestion", "user": f"u-{number}",
                       "details": {"api": "cdap-api", "case": "C-1", "rubriques": ["adresse", "rsa"]}}) + "\n"


def count(store: Store, where: str = "true") -> int:
    found = store.db.execute(f"SELECT count(*) FROM events WHERE {where}").fetchone()  # noqa: S608 (tests' own)
    return int(found[0]) if found else 0


def test_a_second_run_reads_only_what_was_appended(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text("".join(login(n) for n in range(5)))
    with Store(tmp_path / "s.duckdb") as store:
        first = ingest_file(store, trail)
        again = ingest_file(store, trail)
        with trail.open("a") as out:
            out.write(login(5) + api_call(6))
        third = ingest_file(store, trail)
        assert (first.lines, first.new) == (5, 5)
        assert (again.lines, again.new) == (0, 0)
        assert (third.lines, third.new) == (2, 2)
        assert count(store) == 7
        assert store.db.execute("SELECT rubriques FROM events WHERE kind = 'api'").fetchone() == (["adresse", "rsa"],)


def test_a_rotated_or_replaced_file_never_counts_an_event_twice(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(login(0) + login(1))
    with Store(tmp_path / "s.duckdb") as store:
        ingest_file(store, trail)
        trail.rename(tmp_path / "events.jsonl.1")  # logrotate: the old file moved, a new one begun
        trail.write_text(login(2))
        outcomes = ingest(store, [tmp_path / "events.jsonl.1", trail])
        assert [o.new for o in outcomes] == [0, 1]
        trail.write_text(login(3) + login(2))  # replaced in place (same name, other content)
        assert ingest_file(store, trail).new == 1
        assert count(store) == 4


def test_a_bad_line_is_named_by_file_and_line_and_the_rest_is_read(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(login(0) + '{"time": "2026-12-04T08:00:00Z", "kind": "us\n' + "\n" + login(1)
                     + json.dumps({"time": "yesterday", "kind": "user"}) + "\n"
                     + json.dumps({"time": "2026-12-04T08:00:00Z", "kind": "debug"}) + "\n" + login(2))
    with Store(tmp_path / "s.duckdb") as store:
        outcome = ingest_file(store, trail)
    assert outcome.new == 3
    assert [(s.line, s.reason.split(" (")[0]) for s in outcome.skipped] == [
        (2, "not a JSON line"), (5, "time 'yesterday' is not an ISO-8601 instant"),
        (6, "kind 'debug' is not one of user, admin, api")]
    assert str(outcome.skipped[0]).startswith(f"{trail.resolve()}:2: ")


def test_an_unfinished_last_line_waits_for_the_next_run(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    whole = login(1)
    trail.write_text(login(0) + whole[:40])  # the listener is writing it
    with Store(tmp_path / "s.duckdb") as store:
        first = ingest_file(store, trail)
        with trail.open("a") as out:
            out.write(whole[40:])
        second = ingest_file(store, trail)
    assert (first.new, first.pending, first.skipped) == (1, True, [])
    assert (second.new, second.pending, second.skipped) == (1, False, [])


def test_only_what_the_dashboards_need_is_kept_and_only_as_long_as_the_retention(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(login(0, days_ago=1) + login(1, days_ago=200) + login(2, days_ago=400))
    with Store(tmp_path / "s.duckdb") as store:
        ingest_file(store, trail)
        columns = {c[0] for c in store.db.execute("DESCRIBE events").fetchall()}
        assert not {"ip", "user_session", "details", "code_id"} & columns
        kept = store.db.execute("SELECT * FROM events").fetchall()
        assert "192.0.2.7" not in repr(kept) and "s-0" not in repr(kept)
        assert store.purge(190, now=NOW) == 2 and count(store) == 1
        assert store.db.execute("SELECT username, organisation FROM events").fetchone() == ("agent-0", "cd33")
        with pytest.raises(Exception, match="at least a day"):
            store.purge(0, now=NOW)
    assert (tmp_path / "s.duckdb").stat().st_mode & 0o077 == 0


def test_an_admin_event_is_kept_as_its_operation_and_resource_type() -> None:
    line = json.dumps({"time": "2026-12-04T08:00:00Z", "kind": "admin", "realm": "cd33", "operation": "UPDATE",
                       "resource_type": "USER", "auth_user": "adm-1", "error": "forbidden"}).encode()
    found = row(line)
    assert found[2:5] == ("admin", "cd33", "UPDATE USER") and found[6] == "adm-1" and found[9] == "forbidden"


def test_the_command_reports_what_it_read_and_skipped(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(login(0) + "{oops\n")
    run = [sys.executable, "-m", "trustcircle", "supervise", "ingest", "--file", str(trail),
           "--store", str(tmp_path / "s.duckdb")]
    first = subprocess.run(run, capture_output=True, text=True, timeout=60, check=False)
    assert first.returncode == 0, first.stderr
    assert "2 line(s) read, 1 new event(s), 1 skipped" in first.stdout
    assert f"skipped {trail.resolve()}:2: not a JSON line" in first.stdout
    missing = subprocess.run([*run, "--file", str(tmp_path / "none.jsonl")], capture_output=True, text=True,
                             timeout=60, check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stdout and "1 event(s) in the store" in missing.stdout


def test_identical_lines_of_one_instant_are_as_many_events_even_across_runs(tmp_path: Path) -> None:
    """Two wallets asking for a nonce in the same millisecond write the same line twice."""
    nonce = json.dumps({"time": "2026-12-04T19:28:41.915Z", "kind": "user", "realm": "cnaf",
                        "type": "VERIFIABLE_CREDENTIAL_NONCE_REQUEST"}) + "\n"
    trail = tmp_path / "events.jsonl"
    trail.write_text(nonce + nonce)
    with Store(tmp_path / "s.duckdb") as store:
        assert ingest_file(store, trail).new == 2
        with trail.open("a") as out:
            out.write(nonce + login(1))  # the third of that millisecond, read by the next run
        assert ingest_file(store, trail).new == 2
        trail.rename(tmp_path / "events.jsonl.1")
        assert ingest_file(store, tmp_path / "events.jsonl.1").new == 0  # the rotated copy: nothing new
        assert count(store, "type = 'VERIFIABLE_CREDENTIAL_NONCE_REQUEST'") == 3


def test_a_synthetic_history_is_held_event_for_event(tmp_path: Path) -> None:
    """The benchmark's history (skewed habits, lockouts, consultations) against what the store holds."""
    from benchmarks.supervision_history import ORGANISATIONS, write

    truth = write(tmp_path / "events.jsonl", agents=400, days=40, end=dt.date(2026, 12, 4))
    with Store(tmp_path / "s.duckdb") as store:
        outcome = ingest_file(store, tmp_path / "events.jsonl", {o: o for o in ORGANISATIONS})
        assert outcome.new == truth.lines and not outcome.skipped
        per_agent = dict(store.db.execute("SELECT substr(agent, 3), count(*) FROM events WHERE kind = 'api' "
                                          "GROUP BY agent").fetchall())
        assert per_agent == dict(truth.consultations)
        signed_in = {r[0] for r in store.db.execute("SELECT agent FROM events WHERE type = 'LOGIN'").fetchall()}
        assert truth.inactive and not truth.inactive & signed_in
        assert count(store, "type = 'USER_DISABLED_BY_TEMPORARY_LOCKOUT'") == sum(truth.lockouts.values())
        assert count(store, "organisation IS NULL") == 0  # at home or at the provider, each event is someone's
