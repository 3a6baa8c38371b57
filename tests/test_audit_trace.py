"""`trustcircle audit trace`: one transaction rebuilt from JSON lines (pure logic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trustcircle.audit.trace import read, render, trace
from trustcircle.errors import TrustcircleError

RECORDS = [
    {"time": "2026-11-23T10:00:02Z", "realm": "cnaf", "type": "LOGIN", "transaction": "ID_1", "sp_request": "sp-1",
     "user_session": "s-cnaf", "client": "urn:cdap"},
    {"time": "2026-11-23T10:00:01Z", "realm": "cd33", "type": "LOGIN", "transaction": "ID_1", "user_session": "s-cd"},
    {"time": "2026-11-23T10:00:03Z", "realm": "cnaf", "type": "CODE_TO_TOKEN", "user_session": "s-cnaf"},
    {"time": "2026-11-23T10:00:04Z", "realm": "cd33", "type": "LOGIN", "transaction": "ID_2", "user_session": "s-x"},
    {"time": "2026-11-23T10:00:05Z", "realm": "cnaf", "type": "IDENTITY_PROVIDER_POST_LOGIN_ERROR",
     "transaction": "ID_2", "error": "trustcircle_convention_denied", "details": {"trustcircle_rule": "no_convention"}},
]


def test_a_transaction_brings_its_sessions_events_in_time_order() -> None:
    found = trace(RECORDS, "ID_1")
    assert [(r["realm"], r["type"]) for r in found] == [("cd33", "LOGIN"), ("cnaf", "LOGIN"), ("cnaf", "CODE_TO_TOKEN")]
    assert trace(RECORDS, "sp-1") == [RECORDS[0], RECORDS[2]]


def test_a_refusal_is_said_with_its_rule() -> None:
    text = render(trace(RECORDS, "ID_2"), "ID_2")
    assert "trustcircle_convention_denied (rule no_convention)" in text and "1 refused." in text
    assert "No event carries" in render([], "ID_3")


def test_reading_a_bad_line_is_a_located_error(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(json.dumps(RECORDS[0]) + "\nnot json\n")
    with pytest.raises(TrustcircleError, match=r"events\.jsonl:2"):
        list(read([trail]))
