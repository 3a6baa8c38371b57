"""Semantic rules of the model, beyond what the schema checks. Each finding has a rule id and a hint.

Rule ids by family: TC1xx identity and uniqueness, TC2xx references, TC3xx four-eyes and
verification, TC4xx dates, TC5xx doctrine, TC6xx policies. docs/partner-organisation.md lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from trustcircle.ids import RESERVED_GROUP_PREFIX
from trustcircle.model.certificates import certificate_problem
from trustcircle.model.issues import Issue
from trustcircle.model.policies import effective, looser_fields
from trustcircle.model.schema import (
    Amendment,
    Convention,
    FederationSettings,
    MembershipForm,
    Organisation,
    Provider,
    ServiceCertificate,
)

if TYPE_CHECKING:
    from trustcircle.model.loader import Located

Path = list[str | int]


def _issue(item: Located, path: Path, rule: str, message: str, hint: str) -> Issue:
    line, col = item.where(path)
    return Issue(item.file, line, col, ".".join(map(str, [item.kind, *path])), rule, message, hint)


def _one_of(values: object) -> str:
    return "use one of: " + ", ".join(sorted(map(str, values))) if values else "declare it first"  # type: ignore[call-overload]


@dataclass(frozen=True)
class Context:
    settings: FederationSettings | None
    providers: dict[str, Provider]
    orgs: dict[str, Organisation]


def _unique(items: list[Located], attr: str, what: str, rule: str = "TC101") -> Iterator[Issue]:
    """Every file that uses a value another file also uses is told where the other one is."""
    users: dict[str, list[Located]] = {}
    for item in items:
        if getattr(item.obj, attr) is not None:
            users.setdefault(str(getattr(item.obj, attr)), []).append(item)
    for value, sharing in users.items():
        for item in sharing if len(sharing) > 1 else []:
            others = ", ".join(o.file for o in sharing if o is not item)
            yield _issue(item, [attr], rule, f"{what} {value!r} is also used in {others}",
                         f"give each one a unique, stable {attr}")


def _organisation_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    org = cast(Organisation, item.obj)
    if org.realm == "master":
        yield _issue(item, ["realm"], "TC107", "the master realm is Keycloak's own administration realm",
                     "give the organisation a realm of its own")
    if org.authentication.type == "keycloak" and org.realm is None:
        yield _issue(item, ["realm"], "TC105", "an organisation whose agents are in Keycloak needs a realm",
                     "add realm: <id> (its own trust area), usually the organisation's id")
    ids = [g.id for g in org.groups]
    for index, group in enumerate(org.groups):
        if ids.index(group.id) != index:
            yield _issue(item, ["groups", index, "id"], "TC103", f"group {group.id!r} is declared twice",
                         "give each group a unique id")
        elif group.id.startswith(RESERVED_GROUP_PREFIX):
            yield _issue(item, ["groups", index, "id"], "TC110", f"group ids starting with {RESERVED_GROUP_PREFIX!r} "
                         "are trustcircle's own (administrators, habilitation managers)", "choose another id")
    if org.parent is not None:
        parent = ctx.orgs.get(org.parent)
        if parent is None or parent.kind != "local_fund":
            funds = [o.id for o in ctx.orgs.values() if o.kind == "local_fund"]
            yield _issue(item, ["parent"], "TC208", f"parent {org.parent!r} is not a local fund", _one_of(funds))
    if org.policies.password.character_classes not in (None, 0, 4):
        yield _issue(item, ["policies", "password", "character_classes"], "TC602",
                     "Keycloak can require all four character classes or none, not some of them",
                     "use 4 (upper, lower, digit, special) or 0")
    if ctx.settings is not None:
        base = ctx.settings.policies_in_force()
        for field in looser_fields(base, effective(base, org.policies)):
            yield _issue(item, ["policies", *field], "TC601",
                         f"policies.{'.'.join(field)} loosens the federation's policy",
                         "an organisation may only tighten the federation's policies: remove the setting "
                         "or make it stricter")


def _certificate_rules(item: Located, s_index: int, use: str, given: ServiceCertificate) -> Iterator[Issue]:
    """``use``: the service's field (encryption, signing) holding ``given``."""
    at: Path = ["services", s_index, use]
    if (given.certificate is None) == (not given.local_stand_in):
        yield _issue(item, at, "TC111", f"give the service's {use} certificate, or local_stand_in: true",
                     "paste the PEM certificate the e-service publishes (exactly one of the two)")
    elif given.certificate is not None and certificate_problem(given.certificate):
        yield _issue(item, [*at, "certificate"], "TC112", str(certificate_problem(given.certificate)),
                     "paste the whole PEM block, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----")


def _provider_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    provider = cast(Provider, item.obj)
    loas = {loa.id for loa in ctx.settings.levels_of_assurance} if ctx.settings else set()
    names = [("services", s.id) for s in provider.services] + [("apis", a.id) for a in provider.apis]
    clients = [("services", s.client_id) for s in provider.services]
    for index, (field, name) in enumerate(names):
        if [n for _, n in names].index(name) != index:
            at = index if field == "services" else index - len(provider.services)
            yield _issue(item, [field, at, "id"], "TC108", f"{name!r} names two services or APIs of {provider.id}",
                         "give each service and API a unique id")
    for index, (_, client) in enumerate(clients):
        if [c for _, c in clients].index(client) != index:
            field = "entity_id" if provider.services[index].protocol == "saml" else "client_id"
            yield _issue(item, ["services", index, field], "TC109", f"client {client!r} stands for two services",
                         "each service is its own client: give it its own entity id or client id")
    every_rubrique: set[str] = set()
    for s_index, service in enumerate(provider.services):
        rubriques = [r.id for r in service.rubriques]
        every_rubrique |= set(rubriques)
        for r_index, rubrique in enumerate(rubriques):
            if rubriques.index(rubrique) != r_index:
                yield _issue(item, ["services", s_index, "rubriques", r_index, "id"], "TC104",
                             f"rubrique {rubrique!r} is declared twice", "give each rubrique a unique id")
        if service.protocol == "saml":
            for use, given in (("encryption", service.encryption), ("signing", service.signing)):
                if given is not None:
                    yield from _certificate_rules(item, s_index, use, given)
        if service.level_of_assurance and service.level_of_assurance not in loas:
            yield _issue(item, ["services", s_index, "level_of_assurance"], "TC209",
                         f"unknown level of assurance {service.level_of_assurance!r}", _one_of(loas))
    for a_index, api in enumerate(provider.apis):
        for sc_index, scope in enumerate(api.scopes):
            if api.scopes.index(scope) != sc_index:
                yield _issue(item, ["apis", a_index, "scopes", sc_index], "TC104",
                             f"scope {scope!r} is declared twice", "list each rubrique once")
            elif scope not in every_rubrique:
                yield _issue(item, ["apis", a_index, "scopes", sc_index], "TC210",
                             f"{scope!r} is not a rubrique of any service of {provider.id}", _one_of(every_rubrique))


def _amendment_rules(item: Located, conv: Convention, index: int, amendment: Amendment,
                     ctx: Context) -> Iterator[Issue]:
    base: Path = ["amendments", index]
    if amendment.number != index:
        yield _issue(item, [*base, "number"], "TC304", f"amendment number {amendment.number} at position {index}",
                     "number amendments 0, 1, 2, … in order")
    if amendment.verified_by and amendment.verified_by.casefold() == amendment.prepared_by.casefold():
        yield _issue(item, [*base, "verified_by"], "TC302", "the verifier is the person who prepared the amendment",
                     "a different verifier must check the entry (four-eyes principle)")
    if bool(amendment.verified_by) != bool(amendment.verified_on):
        yield _issue(item, [*base, "verified_on" if amendment.verified_by else "verified_by"], "TC305",
                     "verified_by and verified_on go together", "give both, or neither while awaiting verification")
    if amendment.verified_on and amendment.verified_on < amendment.prepared_on:
        yield _issue(item, [*base, "verified_on"], "TC402", "verified before it was prepared",
                     "verified_on must not precede prepared_on")
    fund = ctx.orgs.get(conv.managed_by)
    verifiers = {v.casefold() for v in fund.verifiers} if fund is not None else set()
    is_fund = fund is not None and fund.kind == "local_fund"  # otherwise TC207 says what is wrong
    if amendment.verified_by and fund is not None and is_fund and amendment.verified_by.casefold() not in verifiers:
        yield _issue(item, [*base, "verified_by"], "TC303",
                     f"{amendment.verified_by} is not a verifier of {fund.id}",
                     _one_of(fund.verifiers) if fund.verifiers else f"declare the verifiers of {fund.id} first")
    yield from _form_rules(item, conv, base, amendment, ctx)


def _form_rules(item: Located, conv: Convention, base: Path, amendment: Amendment, ctx: Context) -> Iterator[Issue]:
    provider = ctx.providers.get(conv.provider)
    org = ctx.orgs.get(conv.organisation)
    services = {s.id: s for s in provider.services} if provider else {}
    doctrine = {p.id: p for p in ctx.settings.doctrine} if ctx.settings else {}
    for f_index, form in enumerate(amendment.forms):
        at: Path = [*base, "forms", f_index]
        if form.valid_until < form.valid_from:
            yield _issue(item, [*at, "valid_until"], "TC401", "valid_until is before valid_from",
                         "valid_until is the last day of validity and must not precede valid_from")
        if org is not None:
            known_groups = {g.id for g in org.groups}
            for g_index, group in enumerate(form.groups):
                if group not in known_groups:
                    yield _issue(item, [*at, "groups", g_index], "TC206",
                                 f"organisation {org.id!r} has no group {group!r}", _one_of(known_groups))
        service = services.get(form.service)
        if provider is not None and service is None:
            yield _issue(item, [*at, "service"], "TC203", f"provider {provider.id!r} has no service {form.service!r}",
                         _one_of(services))
            continue
        known = {r.id for r in service.rubriques} if service else set()
        profile = doctrine.get(form.profile)
        if profile is None:
            yield _issue(item, [*at, "profile"], "TC205", f"profile {form.profile!r} is not in the doctrine",
                         _one_of(doctrine))
        elif org is not None and org.kind not in profile.organisation_kinds:
            yield _issue(item, [*at, "profile"], "TC502",
                         f"profile {profile.id} is not open to organisations of kind {org.kind}",
                         "choose a profile of the doctrine meant for this kind of organisation")
        yield from _application_rules(item, at, form, provider)
        allowed = set(profile.services.get(form.service, [])) if profile else None
        for r_index, rubrique in enumerate(form.rubriques):
            if service and rubrique not in known:
                yield _issue(item, [*at, "rubriques", r_index], "TC204",
                             f"service {form.service!r} has no rubrique {rubrique!r}", _one_of(known))
            elif allowed is not None and rubrique not in allowed:
                yield _issue(item, [*at, "rubriques", r_index], "TC501",
                             f"the doctrine does not allow rubrique {rubrique!r} of {form.service} for profile "
                             f"{form.profile}", "remove it, or choose a profile that allows it: "
                             + (", ".join(sorted(allowed)) or "(none on this service)") + " allowed here")


def _application_rules(item: Located, at: Path, form: MembershipForm, provider: Provider | None) -> Iterator[Issue]:
    """An application calls one of the provider's APIs, for rubriques the form grants and the API serves."""
    apis = {a.id: a for a in provider.apis} if provider else {}
    for a_index, app in enumerate(form.applications):
        api = apis.get(app.api)
        if provider is not None and api is None:
            yield _issue(item, [*at, "applications", a_index, "api"], "TC211",
                         f"provider {provider.id!r} has no API {app.api!r}", _one_of(apis))
            continue
        for s_index, scope in enumerate(app.scopes):
            if scope not in form.rubriques or (api is not None and scope not in api.scopes):
                yield _issue(item, [*at, "applications", a_index, "scopes", s_index], "TC212",
                             f"application {app.id!r} asks {scope!r}, which this form does not grant or "
                             f"{app.api} does not serve",
                             "an application gets at most the form's rubriques that the API serves: "
                             + (", ".join(sorted(set(form.rubriques) & set(api.scopes if api else []))) or "none"))


def _convention_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    conv = cast(Convention, item.obj)
    if conv.organisation not in ctx.orgs:
        yield _issue(item, ["organisation"], "TC201", f"unknown organisation {conv.organisation!r}",
                     "use the id of an organisation declared under realms/organisations/")
    if conv.provider not in ctx.providers:
        yield _issue(item, ["provider"], "TC202", f"unknown provider {conv.provider!r}",
                     "use the id of a provider declared under realms/providers/")
    fund = ctx.orgs.get(conv.managed_by)
    if fund is None or fund.kind != "local_fund":
        funds = [o.id for o in ctx.orgs.values() if o.kind == "local_fund"]
        yield _issue(item, ["managed_by"], "TC207", f"{conv.managed_by!r} is not a local fund", _one_of(funds))
    if conv.status == "verified" and not any(a.verified_by for a in conv.amendments):
        yield _issue(item, ["status"], "TC301", "a verified convention needs a verified amendment",
                     "have amendment 0 verified (verified_by, verified_on), or set status: draft")
    if (conv.status == "terminated") != (conv.terminated_on is not None):
        yield _issue(item, ["terminated_on"] if conv.terminated_on else ["status"], "TC403",
                     "status terminated and terminated_on go together", "give both, or neither")
    for index, amendment in enumerate(conv.amendments):
        yield from _amendment_rules(item, conv, index, amendment, ctx)


def _one_form_per_service(conventions: list[Located]) -> Iterator[Issue]:
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
            yield _issue(item, path, "TC106", f"{org} already has a form for {service} in force (in {first})",
                         "keep one membership form per service: amend the existing convention instead")


def check_rules(settings: list[Located], providers: list[Located], organisations: list[Located],
                conventions: list[Located]) -> list[Issue]:
    ctx = Context(settings=cast(FederationSettings, settings[0].obj) if len(settings) == 1 else None,
                  providers={cast(Provider, p.obj).id: cast(Provider, p.obj) for p in providers},
                  orgs={cast(Organisation, o.obj).id: cast(Organisation, o.obj) for o in organisations})
    issues = [*_unique(providers, "id", "provider id"), *_unique(organisations, "id", "organisation id"),
              *_unique(conventions, "id", "convention id"), *_unique([*providers, *organisations], "realm", "realm",
                                                                     "TC102")]
    for item in organisations:
        issues.extend(_organisation_rules(item, ctx))
    for item in providers:
        issues.extend(_provider_rules(item, ctx))
    for item in conventions:
        issues.extend(_convention_rules(item, ctx))
    issues.extend(_one_form_per_service(conventions))
    if ctx.settings is not None:
        issues.extend(_settings_rules(settings[0], ctx.settings))
    return issues


def _settings_rules(item: Located, settings: FederationSettings) -> Iterator[Issue]:
    if settings.policies.password.character_classes not in (None, 0, 4):
        yield _issue(item, ["policies", "password", "character_classes"], "TC602",
                     "Keycloak can require all four character classes or none, not some of them",
                     "use 4 (upper, lower, digit, special) or 0")
    for field in looser_fields(settings.profile_policies(), settings.policies_in_force()):
        yield _issue(item, ["policies", *field], "TC603",
                     f"policies.{'.'.join(field)} loosens the {settings.policy_profile} profile",
                     "the federation may only tighten its profile: remove the setting, make it stricter, "
                     "or choose another policy_profile")
