"""The HTML test report: cases in plain words, grouped by module, failures shown."""

from __future__ import annotations

from html.parser import HTMLParser
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


def _junit_with_failures() -> str:
    traceback = "\n".join(f"conformance/test_x.py:{n}: in step_{n}\n    assert a &lt; b &amp;&amp; c"
                          for n in range(300))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="conformance.test_a" name="test_fine" time="0.1"/>
<testcase classname="tests.test_z" name="test_breaks[x&lt;y]" time="0.3">
<failure message="AssertionError: got &lt;script&gt;alert(1)&lt;/script&gt; &amp; more">{traceback}
E   AssertionError: the very last line</failure></testcase>
<testcase classname="tests.test_b" name="test_errs" time="0.1"><error message="fixture &lt;b&gt;broke&lt;/b&gt;">setup
E   RuntimeError: &lt;no server&gt;</error></testcase>
<testcase classname="tests.test_b" name="test_fine_too" time="0.1"/>
</testsuite></testsuites>
"""


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def test_the_page_opens_with_each_failure_whole_linked_and_escaped(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(_junit_with_failures())
    cases = read_junit(junit)
    page = render(cases, tmp_path)
    failed = [c for c in cases if c.outcome == "failed"]
    assert [c.name for c in failed] == ["test_breaks[x<y]", "test_errs"]
    # the failures come before any passing case, each under an anchor that the summary links to
    assert page.index('id="failures"') < page.index("fine")
    elements = _Elements()
    elements.feed(page)
    ids = {a["id"] for _, a in elements.tags if "id" in a}
    links = [a["href"][1:] for tag, a in elements.tags if tag == "a" and a.get("href", "").startswith("#")]
    assert all(c.anchor in ids and links.count(c.anchor) == 2 for c in failed)  # summary and its row
    # the whole cause, never cut, and markup shown as text, never interpreted
    assert "step_299" in page and "the very last line" in page and "assert a &lt; b &amp;&amp; c" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page and "RuntimeError: &lt;no server&gt;" in page
    assert not {tag for tag, _ in elements.tags} & {"script", "b"}


def test_the_end_of_a_run_names_each_failure_and_its_message_on_one_line(tmp_path: Path) -> None:
    from trustcircle.report import failure_lines

    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT.replace("accepted &lt;saml&gt;", "accepted\n  &lt;saml&gt;" + " x" * 400))
    lines = failure_lines(read_junit(junit))
    assert len(lines) == 1 and "\n" not in lines[0]
    assert lines[0].startswith("failed: conformance.test_x::test_a_tampered_response_is_refused[post]: "
                               "AssertionError: accepted <saml> x")
    assert len(lines[0]) < 520
