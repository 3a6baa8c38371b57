"""Semantic rules of the model, beyond what the schema checks. Each rule has an id and a hint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from trustcircle.model.issues import Issue
from trustcircle.model.schema import Convention, Organisation, Provider

if TYPE_CHECKING:
    from trustcircle.model.loader import Located


def _issue(item: Located, path: list[str | int], rule: str, message: str, hint: str) -> Issue:
    line, col = item.where(path)
    return Issue(item.file, line, col, ".".join(map(str, [item.kind, *path])), rule, message, hint)


def _unique_ids(items: list[Located], what: str) -> Iterator[Issue]:
    seen: dict[str, Located] = {}
    for item in items:
        ident = str(getattr(item.obj, "id"))  # noqa: B009
        if ident in seen:
            yield _issue(item, ["id"], "TC101", f"{what} id {ident!r} is also used in {seen[ident].file}",
                         "give each one a unique, stable id")
        seen.setdefault(ident, item)


def _realms_unique(providers: list[Located], organisations: list[Located]) -> Iterator[Issue]:
    seen: dict[str, str] = {}
    for item in [*providers, *organisations]:
        realm = str(getattr(item.obj, "realm"))  # noqa: B009
        if realm in seen:
            yield _issue(item, ["realm"], "TC102", f"realm {realm!r} is already the realm of {seen[realm]}",
                         "each organisation and provider has its own realm (trust area)")
        seen.setdefault(realm, item.file)


def _convention_rules(item: Located, providers: dict[str, Provider], orgs: dict[str, Organisation]) -> Iterator[Issue]:
    conv = cast(Convention, item.obj)
    if conv.organisation not in orgs:
        yield _issue(item, ["organisation"], "TC201", f"unknown organisation {conv.organisation!r}",
                     "use the id of an organisation declared under realms/organisations/")
    provider = providers.get(conv.provider)
    if provider is None:
        yield _issue(item, ["provider"], "TC202", f"unknown provider {conv.provider!r}",
                     "use the id of a provider declared under realms/providers/")
    if conv.status == "verified" and not conv.verified_by:
        yield _issue(item, ["verified_by"], "TC301", "a verified convention needs verified_by",
                     "name the verifier who checked the entry (four-eyes principle)")
    if conv.verified_by and conv.verified_by == conv.prepared_by:
        yield _issue(item, ["verified_by"], "TC302", "the verifier is the person who prepared the convention",
                     "a different verifier must check the entry (four-eyes principle)")
    services = {s.id: s for s in provider.services} if provider else {}
    for index, form in enumerate(conv.forms):
        base: list[str | int] = ["forms", index]
        if form.valid_until < form.valid_from:
            yield _issue(item, [*base, "valid_until"], "TC401", "valid_until is before valid_from",
                         "valid_until is the last day of validity and must not precede valid_from")
        service = services.get(form.service)
        if provider and service is None:
            yield _issue(item, [*base, "service"], "TC203", f"provider {provider.id!r} has no service {form.service!r}",
                         "use one of: " + ", ".join(sorted(services)))
            continue
        known = {r.id for r in service.rubriques} if service else set()
        for r_index, rubrique in enumerate(form.rubriques):
            if service and rubrique not in known:
                yield _issue(item, [*base, "rubriques", r_index], "TC204",
                             f"service {form.service!r} has no rubrique {rubrique!r}",
                             "use one of: " + ", ".join(sorted(known)))


def check_rules(providers: list[Located], organisations: list[Located], conventions: list[Located]) -> list[Issue]:
    issues = [*_unique_ids(providers, "provider"), *_unique_ids(organisations, "organisation"),
              *_unique_ids(conventions, "convention"), *_realms_unique(providers, organisations)]
    by_provider = {cast(Provider, p.obj).id: cast(Provider, p.obj) for p in providers}
    by_org = {cast(Organisation, o.obj).id: cast(Organisation, o.obj) for o in organisations}
    for item in conventions:
        issues.extend(_convention_rules(item, by_provider, by_org))
    return issues
