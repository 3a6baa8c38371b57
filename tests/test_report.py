"""The HTML test report: cases in plain words, grouped by module, failures shown."""

from __future__ import annotations

from pathlib import Path

from trustcircle.report import read_junit, render

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="conformance.test_x" name="test_a_replay_is_refused" time="0.5"/>
<testcase classname="conformance.test_x" name="test_a_tampered_response_is_refused[post]" time="0.2">
<failure message="AssertionError: accepted &lt;saml&gt;">trace</failure></testcase>
<testcase classname="tests.test_y" name="test_skipped_case" time="0"><skipped message="not here"/></testcase>
</testsuite></testsuites>
"""


def test_cases_are_grouped_named_plainly_and_failures_escaped(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    module = tmp_path / "conformance" / "test_x.py"
    module.parent.mkdir()
    module.write_text('"""Responses a service provider refuses."""\n\ndef test_a_replay_is_refused():\n'
                      '    """Replayed: unsolicited."""\n')
    cases = read_junit(junit)
    assert [c.outcome for c in cases] == ["passed", "failed", "skipped"]
    page = render(cases, tmp_path)
    assert "a replay is refused" in page and "Replayed: unsolicited." in page
    assert "Responses a service provider refuses." in page
    assert "a tampered response is refused [post]" in page
    assert "accepted &lt;saml&gt;" in page and "<saml>" not in page
    assert "3 cases: 1 passed, 1 failed, 1 skipped" in page
