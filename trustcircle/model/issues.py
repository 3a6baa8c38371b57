"""Validation findings: each one located (file, line, column, key path) with a rule id and a hint."""

from __future__ import annotations

from dataclasses import dataclass

from trustcircle.errors import ModelError


@dataclass(frozen=True, order=True)
class Issue:
    file: str
    line: int
    column: int
    path: str
    rule: str
    message: str
    hint: str

    def render(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.rule} at {self.path}: {self.message}\n  hint: {self.hint}"


class ValidationFailed(ModelError):
    """The model has one or more issues; nothing may be applied."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues)
        super().__init__(f"{len(self.issues)} problem(s) in realms/", "fix each problem listed, then run again")

    def render(self) -> str:
        lines = [issue.render() for issue in self.issues]
        return "\n".join([*lines, f"trustcircle: {len(self.issues)} problem(s) found; nothing was applied."])
