"""Rules of conventions: references to organisations, providers, services and the doctrine,
four-eyes on every amendment, and one form per service in force."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from trustcircle.model.findings import Context, Path, choices, issue
from trustcircle.model.history import history_rules
from trustcircle.model.identity import person_key
from trustcircle.model.issues import Issue
from trustcircle.model.schema import Amendment, Convention, MembershipForm, Provider

if TYPE_CHECKING:
    from trustcircle.model.document import Located


def _four_eyes(item: Located, conv: Convention, base: Path, amendment: Amendment, ctx: Context) -> Iterator[Issue]:
    """The verifier is someone else than the preparer, and a verifier of the managing fund; people
    are compared as :func:`person_key` says (case, spaces, invisible and compatibility characters)."""
    if not amendment.verified_by:
        return
    verifier = person_key(amendment.verified_by)
    if verifier == person_key(amendment.prepared_by):
        written = "" if amendment.verified_by == amendment.prepared_by else (
            f" (written {amendment.verified_by!r} and {amendment.prepared_by!r})")
        yield issue(item, [*base, "verified_by"], "TC302", f"the verifier is the person who prepared the "
                    f"amendment{written}", "a different verifier must check the entry (four-eyes principle)")
    fund = ctx.orgs.get(conv.managed_by)
    if fund is not None and fund.kind == "local_fund" and verifier not in {person_key(v) for v in fund.verifiers}:
        yield issue(item, [*base, "verified_by"], "TC303",
                    f"{amendment.verified_by!r} is not a verifier of {fund.id}",
                    f"the verifiers of {fund.id}: " + ", ".join(sorted(fund.verifiers)) if fund.verifiers
                    else f"declare the verifiers of {fund.id} first")


def _amendment_rules(item: Located, conv: Convention, index: int, amendment: Amendment,
                     ctx: Context) -> Iterator[Issue]:
    base: Path = ["amendments", index]
    if amendment.number != index:
        yield issue(item, [*base, "number"], "TC304", f"amendment number {amendment.number} at position {index}",
                    "number amendments 0, 1, 2, … in order")
    if bool(amendment.verified_by) != bool(amendment.verified_on):
        yield issue(item, [*base, "verified_on" if amendment.verified_by else "verified_by"], "TC305",
                    "verified_by and verified_on go together", "give both, or neither while awaiting verification")
    yield from _four_eyes(item, conv, base, amendment, ctx)
    yield from _form_rules(item, conv, base, amendment, ctx)


def _doctrine_rules(item: Located, at: Path, form: MembershipForm, conv: Convention,
                    ctx: Context) -> Iterator[Issue]:
    """The form's profile and rubriques against the doctrine (skipped while the federation file is broken)."""
    if ctx.settings is None:
        return
    doctrine = {p.id: p for p in ctx.settings.doctrine}
    profile = doctrine.get(form.profile)
    org = ctx.orgs.get(conv.organisation)
    if profile is None:
        yield issue(item, [*at, "profile"], "TC205", f"profile {form.profile!r} is not in the doctrine",
                    choices(form.profile, doctrine))
        return
    if org is not None and org.kind not in profile.organisation_kinds:
        yield issue(item, [*at, "profile"], "TC502", f"profile {profile.id} is not open to organisations of kind "
                    f"{org.kind}", "choose a profile of the doctrine meant for this kind of organisation")
    provider = ctx.providers.get(conv.provider)
    service = next((s for s in provider.services if s.id == form.service), None) if provider else None
    known = {r.id for r in service.rubriques} if service else None
    allowed = set(profile.services.get(form.service, []))
    for r_index, rubrique in enumerate(form.rubriques):
        if (known is None or rubrique in known) and rubrique not in allowed:
            yield issue(item, [*at, "rubriques", r_index], "TC501",
                        f"the doctrine does not allow rubrique {rubrique!r} of {form.service} for profile "
                        f"{form.profile}", "remove it, or choose a profile that allows it: "
                        + (", ".join(sorted(allowed)) or "(none on this service)") + " allowed here")


def _form_rules(item: Located, conv: Convention, base: Path, amendment: Amendment, ctx: Context) -> Iterator[Issue]:
    provider = ctx.providers.get(conv.provider)
    org = ctx.orgs.get(conv.organisation)
    services = {s.id: s for s in provider.services} if provider else {}
    for f_index, form in enumerate(amendment.forms):
        at: Path = [*base, "forms", f_index]
        if form.valid_until < form.valid_from:
            yield issue(item, [*at, "valid_until"], "TC401", f"valid_until ({form.valid_until}) is before "
                        f"valid_from ({form.valid_from})",
                        "valid_until is the last day of validity and must not precede valid_from")
        if org is not None:
            known_groups = {g.id for g in org.groups}
            for g_index, group in enumerate(form.groups):
                if group not in known_groups:
                    yield issue(item, [*at, "groups", g_index], "TC206",
                                f"organisation {org.id!r} has no group {group!r}", choices(group, known_groups))
        service = services.get(form.service)
        if provider is not None and service is None:
            yield issue(item, [*at, "service"], "TC203", f"provider {provider.id!r} has no service {form.service!r}",
                        choices(form.service, services))
            continue
        yield from _doctrine_rules(item, at, form, conv, ctx)
        yield from _application_rules(item, at, form, provider)
        known = {r.id for r in service.rubriques} if service else set()
        for r_index, rubrique in enumerate(form.rubriques):
            if service and rubrique not in known:
                yield issue(item, [*at, "rubriques", r_index], "TC204",
                            f"service {form.service!r} has no rubrique {rubrique!r}", choices(rubrique, known))


def _application_rules(item: Located, at: Path, form: MembershipForm, provider: Provider | None) -> Iterator[Issue]:
    """An application calls one of the provider's APIs, for rubriques the form grants and the API serves."""
    apis = {a.id: a for a in provider.apis} if provider else {}
    for a_index, app in enumerate(form.applications):
        api = apis.get(app.api)
        if provider is not None and api is None:
            yield issue(item, [*at, "applications", a_index, "api"], "TC211",
                        f"provider {provider.id!r} has no API {app.api!r}", choices(app.api, apis))
            continue
        for s_index, scope in enumerate(app.scopes):
            if scope not in form.rubriques or (api is not None and scope not in api.scopes):
                yield issue(item, [*at, "applications", a_index, "scopes", s_index], "TC212",
                            f"application {app.id!r} asks {scope!r}, which this form does not grant or "
                            f"{app.api} does not serve",
                            "an application gets at most the form's rubriques that the API serves: "
                            + (", ".join(sorted(set(form.rubriques) & set(api.scopes if api else []))) or "none"))


def convention_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    conv = cast(Convention, item.obj)
    if not ctx.knows_organisation(conv.organisation):
        yield issue(item, ["organisation"], "TC201", f"unknown organisation {conv.organisation!r}",
                    choices(conv.organisation, ctx.orgs) + " (organisations of realms/organisations/)")
    if not ctx.knows_provider(conv.provider):
        yield issue(item, ["provider"], "TC202", f"unknown provider {conv.provider!r}",
                    choices(conv.provider, ctx.providers) + " (providers of realms/providers/)")
    fund = ctx.orgs.get(conv.managed_by)
    if (fund is None and conv.managed_by not in ctx.broken.organisations) or (fund and fund.kind != "local_fund"):
        yield issue(item, ["managed_by"], "TC207", f"{conv.managed_by!r} is not a local fund",
                    choices(conv.managed_by, [o.id for o in ctx.orgs.values() if o.kind == "local_fund"]))
    if conv.status == "verified" and not any(a.verified_by for a in conv.amendments):
        yield issue(item, ["status"], "TC301", "a verified convention needs a verified amendment",
                    "have amendment 0 verified (verified_by, verified_on), or set status: draft")
    if (conv.status == "terminated") != (conv.terminated_on is not None):
        yield issue(item, ["terminated_on"] if conv.terminated_on else ["status"], "TC403",
                    "status terminated and terminated_on go together", "give both, or neither")
    yield from history_rules(item, conv)
    for index, amendment in enumerate(conv.amendments):
        yield from _amendment_rules(item, conv, index, amendment, ctx)


def one_form_per_service(conventions: list[Located]) -> Iterator[Issue]:
    """At most one membership form per organisation, provider and service among the verified
    conventions' amendments in force (each becomes one Keycloak group)."""
    users: dict[tuple[str, str, str], list[tuple[Located, Path]]] = {}
    for item in conventions:
        conv = cast(Convention, item.obj)
        in_force = conv.effective()
        if in_force is None:
            continue
        index = conv.amendments.index(in_force)
        for f_index, form in enumerate(in_force.forms):
            key = (conv.organisation, conv.provider, form.service)
            users.setdefault(key, []).append((item, ["amendments", index, "forms", f_index, "service"]))
    for (org, _, service), places in users.items():
        first = places[0][0].file
        for item, path in places[1:]:
            yield issue(item, path, "TC106", f"{org} already has a form for {service} in force (in {first})",
                        "keep one membership form per service: amend the existing convention instead")
