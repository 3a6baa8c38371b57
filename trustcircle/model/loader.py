"""Load ``realms/`` into the model, reporting every problem at once with its location.

:func:`check` validates the realms tree the paths belong to and keeps apart the findings in the
files asked about (a pull request's files, say) from those elsewhere; references always resolve
against the whole tree. :func:`load_federation` is what every other command uses: the whole tree
must be valid. Findings are ordered causes first: files, YAML and field types (TC0xx), then
the rules across the model, which skip broken objects and say nothing that follows from them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from trustcircle.model.document import KINDS, Loaded, Located, load_file
from trustcircle.model.files import FEDERATION_FILE, MAX_FILE_BYTES, Tree, collect
from trustcircle.model.issues import Issue, ValidationFailed
from trustcircle.model.rules import Broken, check_rules
from trustcircle.model.schema import Convention, Federation, FederationSettings, Organisation, Provider

__all__ = ["KINDS", "MAX_FILE_BYTES", "Located", "Report", "check", "load_federation"]


@dataclass
class Report:
    """Every finding of a run, and the federation when there is none."""

    tree: Tree
    issues: list[Issue] = field(default_factory=list)
    federation: Federation | None = None
    kinds: list[tuple[str, str]] = field(default_factory=list)  # (kind, file) of each file read

    @property
    def partial(self) -> bool:
        """Only some files of the tree were asked about."""
        return self.tree.root is not None and not self.tree.in_scope(str(self.tree.root))

    @property
    def in_scope(self) -> list[Issue]:
        return [i for i in self.issues if self.tree.in_scope(i.file)]

    @property
    def elsewhere(self) -> list[Issue]:
        return [i for i in self.issues if not self.tree.in_scope(i.file)]


def _settings(tree: Tree, loaded: list[Loaded], issues: list[Issue]) -> list[Loaded]:
    """The federation file(s) to use: exactly one is expected, and each extra one is named. When one of
    several is in its place, it is used (the others are the mistake), so the rest is checked as usual."""
    found = [f for f in loaded if f.kind == "federation"]
    where = tree.root / FEDERATION_FILE if tree.root is not None else Path(FEDERATION_FILE)
    if not found:
        at = str(tree.root) if tree.root is not None else str(next(iter(tree.asked), "realms"))
        issues.append(Issue(at, 1, 1, "$", "TC004", f"no federation file: {where} is missing",
                            "keep the federation settings in realms/federation.yaml (kind `federation:`)"))
        return []
    placed = [f for f in found if f.file == where]
    extra = [f for f in found if f not in placed] if placed else found
    if placed and extra:  # "move it to realms/federation.yaml" would overwrite the right one: TC004 says it all
        issues[:] = [i for i in issues if not (i.rule == "TC016" and any(i.file == str(f.file) for f in extra))]
    for f in extra if len(found) > 1 else []:
        others = ", ".join(str(o.file) for o in found if o is not f)
        issues.append(Issue(str(f.file), 1, 1, "federation", "TC004", f"a second federation file (besides {others})",
                            f"keep one federation file, {where}, and remove the others"))
    return placed if len(found) > 1 else found


def _suppressed(issue: Issue, loaded: dict[str, Loaded]) -> bool:
    """A finding in a mapping where a wrong value was left out, or of a rule withheld for its file
    (dates when one is unreadable), may follow from that mistake: not shown."""
    source = loaded.get(issue.file)
    return source is not None and (issue.path.rsplit(".", 1)[0] in source.degraded
                                   or any(issue.rule.startswith(prefix) for prefix in source.withheld))


def check(paths: Iterable[str | Path], realms: str | Path | None = None) -> Report:
    """Validate the realms tree of ``paths`` (or ``realms``); never raises on a finding."""
    tree = collect(paths, realms)
    report = Report(tree, list(tree.issues))
    loaded = [load_file(f, tree, report.issues) for f in tree.files]
    report.kinds = [(f.kind, str(f.file)) for f in loaded if f.kind is not None]
    settings = [f.located for f in _settings(tree, loaded, report.issues) if f.located is not None]
    valid = {kind: [f.located for f in loaded if f.kind == kind and f.located is not None] for kind in KINDS}
    valid["federation"] = settings
    broken = Broken(settings=len(settings) != 1,
                    providers={f.id for f in loaded if f.kind == "provider" and f.located is None and f.id},
                    organisations={f.id for f in loaded if f.kind == "organisation" and f.located is None and f.id})
    by_file = {str(f.file): f for f in loaded}
    findings = check_rules(valid["federation"], valid["provider"], valid["organisation"], valid["convention"], broken)
    report.issues.extend(i for i in findings if not _suppressed(i, by_file))
    if not report.issues:
        report.federation = Federation(
            settings=cast(FederationSettings, valid["federation"][0].obj),
            providers=tuple(cast(Provider, i.obj) for i in valid["provider"]),
            organisations=tuple(cast(Organisation, i.obj) for i in valid["organisation"]),
            conventions=tuple(cast(Convention, i.obj) for i in valid["convention"]),
        )
    return report


def load_federation(paths: Iterable[str | Path], realms: str | Path | None = None) -> Federation:
    """Load and validate the whole tree; raise :class:`ValidationFailed` listing every problem."""
    report = check(paths, realms)
    if report.federation is None:
        raise ValidationFailed(report.issues)
    return report.federation
