"""Validation findings: each one located (file, line, column, key path) with a rule id and a hint."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from trustcircle.errors import ModelError
from trustcircle.model.catalogue import phase


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    line: int
    column: int
    path: str
    rule: str
    message: str
    hint: str

    def order(self) -> tuple[int, str, int, int, str, str]:
        """Causes first: files, YAML and field types (TC0xx) before the rules that may follow from them."""
        return phase(self.rule), self.file, self.line, self.column, self.rule, self.path

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.rule} at {self.path}: {self.message}\n  hint: {self.hint}"

    def github(self) -> str:
        """A GitHub Actions workflow command: an annotation on the pull request's diff."""
        text = _escape(f"{self.message} ({self.path}). Fix: {self.hint}")
        return f"::error file={_escape(self.file, True)},line={self.line},col={self.column},title={self.rule}::{text}"


def _escape(text: str, property_value: bool = False) -> str:
    """GitHub's workflow command escaping (a file name must not add properties of its own)."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escaped.replace(":", "%3A").replace(",", "%2C") if property_value else escaped


def render_issues(issues: list[Issue], fmt: str) -> tuple[str, str]:
    """(stream, text) for the issues in the given format: human, json or github."""
    ordered = sorted(issues, key=Issue.order)
    if fmt == "json":
        return "stdout", json.dumps({"ok": False, "issues": [asdict(i) for i in ordered]}, indent=2,
                                    ensure_ascii=False)
    if fmt == "github":
        return "stdout", "\n".join(i.github() for i in ordered)
    return "stderr", ValidationFailed(issues).render(applying=False)


class ValidationFailed(ModelError):
    """The model has one or more issues; nothing may be applied."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=Issue.order)
        super().__init__(f"{len(self.issues)} problem(s) in realms/", "fix each problem listed, then run again")

    def render(self, applying: bool = True) -> str:
        """Every issue; ``applying``: the command could have applied the model, so say it did not."""
        lines = [issue.render() for issue in self.issues]
        closing = "; nothing was applied." if applying else "."
        return "\n".join([*lines, f"trustcircle: {len(self.issues)} problem(s) found{closing}"])
