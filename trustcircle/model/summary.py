"""What ``trustcircle validate`` prints: the findings in the files asked about, and a note on the
others when only some files of the tree were asked about (a pull request's, say)."""

from __future__ import annotations

import json
from collections import Counter

from trustcircle.model.issues import render_issues
from trustcircle.model.loader import Report


def _counts(report: Report) -> str:
    counts = Counter(kind for kind, file in report.kinds if report.tree.in_scope(file))
    parts = [f"{counts[k]} {k}{'' if counts[k] == 1 else 's'}" for k in ("organisation", "provider", "convention")
             if counts[k] or not report.partial]
    if counts["federation"] and report.partial:
        parts.insert(0, "the federation file")
    return ", ".join(parts) or "no file"


def outcome(report: Report, fmt: str) -> tuple[int, str, str]:
    """(exit code, text for stdout, text for stderr)."""
    shown, others = report.in_scope, report.elsewhere
    root = report.tree.root
    note = (f"note: {len(others)} problem(s) in other files of {root}, not shown (trustcircle validate {root} "
            "lists them)") if others else ""
    if not shown:
        against = f" (checked against the rest of {root})" if report.partial else ""
        if fmt == "json":
            return 0, json.dumps({"ok": True, "issues": [], "elsewhere": len(others)}), note
        return 0, f"ok: {_counts(report)}{against}", note
    stream, text = render_issues(shown, fmt)
    if fmt == "json":
        data = json.loads(text)
        data["elsewhere"] = len(others)
        text = json.dumps(data, indent=2, ensure_ascii=False)
    if stream == "stdout":
        return 1, text, note
    return 1, "", "\n".join(t for t in (text, note) if t)
