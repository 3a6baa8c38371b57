"""What every rule of the model needs: the context (valid objects by id, and which are broken) and
a located finding with its rule id and hint."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from trustcircle.model.issues import Issue
from trustcircle.model.messages import one_of
from trustcircle.model.schema import FederationSettings, Organisation, Provider

if TYPE_CHECKING:
    from trustcircle.model.document import Located

Path = list[str | int]


@dataclass(frozen=True)
class Broken:
    """Objects whose file failed before the rules: rules skip what depends on them (the cause is reported)."""

    settings: bool = False
    providers: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Context:
    settings: FederationSettings | None
    providers: dict[str, Provider]
    orgs: dict[str, Organisation]
    broken: Broken = Broken()

    def knows_organisation(self, org_id: str) -> bool:
        """Declared, valid or not (a broken one's references are not reported again)."""
        return org_id in self.orgs or org_id in self.broken.organisations

    def knows_provider(self, provider_id: str) -> bool:
        return provider_id in self.providers or provider_id in self.broken.providers


def issue(item: Located, path: Path, rule: str, message: str, hint: str) -> Issue:
    line, col = item.where(path)
    return Issue(item.file, line, col, ".".join(map(str, [item.kind, *path])), rule, message, hint)


def choices(value: object, values: Iterable[object]) -> str:
    """A hint listing the allowed values, the likeliest first."""
    return one_of(value, [str(v) for v in values])
