"""`trustcircle audit trace`: one transaction rebuilt from the listener's JSON lines (pure logic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.audit_lines import ADMIN, AGENT_HOME, LINES, ORGANISATION_OF_REALM
from trustcircle.audit.people import Directory
from trustcircle.audit.records import in_time_order, instant
from trustcircle.audit.trace import read, render, trace
from trustcircle.errors import TrustcircleError


def test_events_are_in_real_time_order_a_whole_second_before_its_fractions() -> None:
    assert [r["time"] for r in in_time_order(LINES[:3])] == [
        "2026-11-23T10:00:41Z", "2026-11-23T10:00:41.039Z", "2026-11-23T10:00:42.5Z"]
    assert instant({"time": "2026-11-23T10:00:41Z"}) < instant({"time": "2026-11-23T10:00:41.039Z"})


def test_a_transaction_brings_its_sessions_events_in_time_order() -> None:
    found = trace(LINES, "ID_1")
    assert [(r["realm"], r["type"]) for r in found] == [("cd33", "LOGIN"), ("cnaf", "LOGIN"), ("cnaf", "CODE_TO_TOKEN")]
    assert trace(LINES, "sp-1") == [LINES[0], LINES[2]]


def test_the_trace_names_the_agent_and_organisation_on_both_sides() -> None:
    text = render(trace(LINES, "ID_1"), "ID_1", Directory(LINES, ORGANISATION_OF_REALM))
    rows = [line for line in text.splitlines() if line.startswith("| 2026")]
    assert all("| jdupont (cd33) |" in row for row in rows), text  # the provider's events too
    assert AGENT_HOME not in text


def test_a_user_the_trail_does_not_name_is_looked_up_and_never_left_a_bare_id() -> None:
    anonymous = [{**LINES[2], "user_session": "other"}]
    asked: list[tuple[str, str]] = []

    def lookup(realm: str, user: str) -> str | None:
        asked.append((realm, user))
        return "cd33.g-7q2"

    agent = Directory(anonymous, {}, lookup).agent(anonymous[0])
    assert agent is not None and agent.username == "cd33.g-7q2" and asked == [("cnaf", LINES[2]["user"])]
    unknown = Directory(anonymous, {}).agent(anonymous[0])
    assert unknown is not None and unknown.username == f"unknown user {LINES[2]['user']}"


def test_an_administrator_is_named_by_the_admin_api_and_their_realm() -> None:
    admin_event = LINES[5]
    agent = Directory(LINES, ORGANISATION_OF_REALM, lambda realm, user: "cd33.admin" if user == ADMIN else None
                      ).agent(admin_event)
    assert agent is not None and agent.render() == "cd33.admin (cd33)"


def test_a_refusal_is_said_with_its_rule_and_the_organisation_it_came_from() -> None:
    text = render(trace(LINES, "ID_2"), "ID_2", Directory(LINES, ORGANISATION_OF_REALM))
    assert "trustcircle_convention_denied (rule no_convention)" in text and "1 refused." in text
    refusal = next(line for line in text.splitlines() if "convention_denied" in line)
    assert "| mmartin (ccas-bordeaux) |" in refusal  # no user at the provider: the transaction's agent
    assert "No event carries" in render([], "ID_3", Directory([], {}))


def test_reading_a_bad_line_is_a_located_error(tmp_path: Path) -> None:
    trail = tmp_path / "events.jsonl"
    trail.write_text(json.dumps(LINES[0]) + "\nnot json\n")
    with pytest.raises(TrustcircleError, match=r"events\.jsonl:2"):
        list(read([trail]))
