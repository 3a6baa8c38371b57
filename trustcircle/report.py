"""The test report a person reads: the JUnit XML of a run as one standalone HTML page.

The page opens with the failures, each with its whole cause (the message and the traceback, never
cut, shown as text: markup in a message is escaped) under an anchor the summary links to. Below,
every case grouped by test module, each module introduced by its docstring, each case named in
plain words from the test's name (``test_a_replayed_response_is_refused`` reads "a replayed
response is refused") with its outcome and duration. A bar per module shows passed, failed and
skipped at a glance.
"""

from __future__ import annotations

import ast
import html
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

COLOURS = {"passed": "#2e7d32", "failed": "#c62828", "skipped": "#9e9e9e"}


@dataclass(frozen=True)
class Case:
    module: str
    name: str
    seconds: float
    outcome: str  # passed | failed | skipped
    message: str
    cause: str = ""  # a failure's whole text: the traceback pytest writes in the element

    @property
    def anchor(self) -> str:
        """The failure's id in the page (stable for a case, safe in a URL fragment)."""
        return "failure-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.module}.{self.name}").strip("-")


def _docstrings(root: Path, module: str) -> tuple[str, dict[str, str]]:
    path = root / (module.replace(".", "/") + ".py")
    if not path.exists():
        return "", {}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = {n.name: ast.get_docstring(n) or "" for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return ast.get_docstring(tree) or "", functions


def read_junit(path: Path) -> list[Case]:
    cases = []
    for case in ET.parse(path).getroot().iter("testcase"):  # noqa: S314 (pytest's own output)
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        outcome = "failed" if problem is not None else "skipped" if skipped is not None else "passed"
        detail = problem if problem is not None else skipped
        message = (detail.get("message") or detail.text or "") if detail is not None else ""
        cause = (problem.text or "") if problem is not None else ""
        cases.append(Case(case.get("classname", ""), case.get("name", ""), float(case.get("time", "0")),
                          outcome, message, cause))
    return cases


def _plain(name: str) -> str:
    base, _, params = name.partition("[")
    words = base.removeprefix("test_").replace("_", " ")
    return words + (f" [{params}" if params else "")


def _bar(counts: dict[str, int], width: int = 240) -> str:
    total = sum(counts.values()) or 1
    x, parts = 0.0, []
    for outcome in ("passed", "failed", "skipped"):
        w = width * counts.get(outcome, 0) / total
        if w:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="12" fill="{COLOURS[outcome]}"/>')
        x += w
    return f'<svg width="{width}" height="12" role="img">{"".join(parts)}</svg>'


def _failures(failed: list[Case]) -> str:
    """The failures first: each under its anchor, with its whole cause as text."""
    if not failed:
        return '<section id="failures"><h2>Failures</h2><p>None.</p></section>'
    links = "".join(f'<li><a href="#{c.anchor}">{html.escape(c.module)}: {html.escape(_plain(c.name))}</a></li>'
                    for c in failed)
    items = "".join(f'<article class="failure" id="{c.anchor}"><h3>{html.escape(c.module)}: '
                    f"{html.escape(_plain(c.name))}</h3><p class=message>{html.escape(c.message)}</p>"
                    f"<pre>{html.escape(c.cause)}</pre></article>" for c in failed)
    return f'<section id="failures"><h2>Failures ({len(failed)})</h2><ol>{links}</ol>{items}</section>'


def _module(module: str, items: list[Case], root: Path) -> str:
    doc, functions = _docstrings(root, module)
    counts = {o: sum(1 for c in items if c.outcome == o) for o in COLOURS}
    rows = []
    for case in items:
        why = functions.get(case.name.partition("[")[0], "")
        cause = f'<div><a href="#{case.anchor}">its cause, above</a></div>' if case.outcome == "failed" else ""
        rows.append(f'<tr class="{case.outcome}"><td>{html.escape(_plain(case.name))}'
                    f'{f"<div class=why>{html.escape(why)}</div>" if why else ""}{cause}</td>'
                    f'<td style="color:{COLOURS[case.outcome]}">{case.outcome}</td>'
                    f'<td>{case.seconds:.2f}</td></tr>')
    heading = html.escape(doc.split("\n\n")[0].replace("\n", " ")) if doc else ""
    return (f'<section><h2>{html.escape(module)} {_bar(counts)}</h2><p>{heading}</p>'
            f'<table><tr><th>case</th><th>outcome</th><th>s</th></tr>{"".join(rows)}</table></section>')


STYLE = """body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 72rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
td, th { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top;
         font-size: .9rem; }
h2 { font-size: 1.05rem; margin-top: 2rem; display: flex; gap: 1rem; align-items: center; }
h3 { font-size: .95rem; margin-bottom: .2rem; }
.why { color: #555; font-size: .8rem; }
tr.failed td, article.failure { background: #fdecea; }
article.failure { padding: .2rem .8rem; margin-bottom: 1rem; border-left: 4px solid #c62828; }
pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .8rem; }"""


def render(cases: list[Case], root: Path, title: str = "trustcircle test report") -> str:
    by_module: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_module[case.module].append(case)
    totals = {o: sum(1 for c in cases if c.outcome == o) for o in COLOURS}
    modules = sorted(by_module, key=lambda m: (not m.startswith("conformance"), m))
    failed = [c for m in modules for c in by_module[m] if c.outcome == "failed"]
    summary = ", ".join(f"{n} {o}" for o, n in totals.items() if n)
    seconds = sum(c.seconds for c in cases)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
{STYLE}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{len(cases)} cases: {summary}; {seconds:.0f} s in all. {_bar(totals, 480)}</p>
{_failures(failed)}
<h2>Every case, by module</h2>
{"".join(_module(m, by_module[m], root) for m in modules)}
</body></html>
"""


def write(junit: Path, output: Path, root: Path) -> list[Case]:
    """The page written to ``output``; every case of the run, in its order."""
    cases = read_junit(junit)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(cases, root), encoding="utf-8")
    return cases


def failure_lines(cases: list[Case], width: int = 400) -> list[str]:
    """A line per failed case, its id and the start of its message on one line: the end of a long
    run's log says what failed and why, where a log cut in the middle still shows it."""
    return [f"failed: {c.module}::{c.name}: " + " ".join(c.message.split())[:width]
            for c in cases if c.outcome == "failed"]
