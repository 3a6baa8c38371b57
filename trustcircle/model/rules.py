"""Rules of the model beyond what the schema checks, on valid objects only: organisations,
providers, the federation's settings and the people they name; conventions are in
``convention_rules``. Each finding has a rule id (``catalogue``) and a hint.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, cast

from trustcircle.ids import RESERVED_GROUP_PREFIX
from trustcircle.model.certificates import certificate_problem
from trustcircle.model.convention_rules import convention_rules, one_form_per_service
from trustcircle.model.findings import Broken, Context, Path, choices, issue
from trustcircle.model.identity import person_problem
from trustcircle.model.issues import Issue
from trustcircle.model.policies import effective, looser_fields
from trustcircle.model.schema import Convention, FederationSettings, Organisation, Provider, ServiceCertificate

if TYPE_CHECKING:
    from trustcircle.model.document import Located

__all__ = ["Broken", "check_rules"]
PEOPLE = {"organisation": ("administrators", "habilitation_managers", "verifiers"), "provider": ("administrators",)}


def _unique(items: list[Located], attr: str, what: str, rule: str = "TC101") -> Iterator[Issue]:
    """Every file that uses a value another file also uses is told where the other one is."""
    users: dict[str, list[Located]] = {}
    for item in items:
        if getattr(item.obj, attr) is not None:
            users.setdefault(str(getattr(item.obj, attr)), []).append(item)
    for value, sharing in users.items():
        for item in sharing if len(sharing) > 1 else []:
            others = ", ".join(o.file for o in sharing if o is not item)
            yield issue(item, [attr], rule, f"{what} {value!r} is also used in {others}",
                        f"give each one a unique, stable {attr}")


def _organisation_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    org = cast(Organisation, item.obj)
    if org.realm == "master":
        yield issue(item, ["realm"], "TC107", "the master realm is Keycloak's own administration realm",
                    "give the organisation a realm of its own")
    if org.authentication.type == "keycloak" and org.realm is None:
        yield issue(item, ["realm"], "TC105", "an organisation whose agents are in Keycloak needs a realm",
                    "add realm: <id> (its own trust area), usually the organisation's id")
    ids = [g.id for g in org.groups]
    for index, group in enumerate(org.groups):
        if ids.index(group.id) != index:
            yield issue(item, ["groups", index, "id"], "TC103", f"group {group.id!r} is declared twice",
                        "give each group a unique id")
        elif group.id.startswith(RESERVED_GROUP_PREFIX):
            yield issue(item, ["groups", index, "id"], "TC110", f"group ids starting with {RESERVED_GROUP_PREFIX!r} "
                        "are trustcircle's own (administrators, habilitation managers)", "choose another id")
    parent = ctx.orgs.get(org.parent) if org.parent is not None else None
    unknown = org.parent is not None and parent is None and org.parent not in ctx.broken.organisations
    if unknown or (parent is not None and parent.kind != "local_fund"):
        funds = [o.id for o in ctx.orgs.values() if o.kind == "local_fund"]
        yield issue(item, ["parent"], "TC208", f"parent {org.parent!r} is not a local fund",
                    choices(org.parent, funds))
    if org.policies.password.character_classes not in (None, 0, 4):
        yield issue(item, ["policies", "password", "character_classes"], "TC602",
                    "Keycloak can require all four character classes or none, not some of them",
                    "use 4 (upper, lower, digit, special) or 0")
    if ctx.settings is not None:
        base = ctx.settings.policies_in_force()
        for field in looser_fields(base, effective(base, org.policies)):
            yield issue(item, ["policies", *field], "TC601",
                        f"policies.{'.'.join(field)} loosens the federation's policy",
                        "an organisation may only tighten the federation's policies: remove the setting "
                        "or make it stricter")


def _certificate_rules(item: Located, s_index: int, use: str, given: ServiceCertificate) -> Iterator[Issue]:
    """``use``: the service's field (encryption, signing) holding ``given``."""
    at: Path = ["services", s_index, use]
    if (given.certificate is None) == (not given.local_stand_in):
        yield issue(item, at, "TC111", f"give the service's {use} certificate, or local_stand_in: true",
                    "paste the PEM certificate the e-service publishes (exactly one of the two)")
    elif given.certificate is not None and certificate_problem(given.certificate):
        yield issue(item, [*at, "certificate"], "TC112", str(certificate_problem(given.certificate)),
                    "paste the whole PEM block, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----")


def _provider_rules(item: Located, ctx: Context) -> Iterator[Issue]:
    provider = cast(Provider, item.obj)
    loas = {loa.id for loa in ctx.settings.levels_of_assurance} if ctx.settings else None
    names = [("services", s.id) for s in provider.services] + [("apis", a.id) for a in provider.apis]
    clients = [("services", s.client_id) for s in provider.services]
    for index, (field, name) in enumerate(names):
        if [n for _, n in names].index(name) != index:
            at = index if field == "services" else index - len(provider.services)
            yield issue(item, [field, at, "id"], "TC108", f"{name!r} names two services or APIs of {provider.id}",
                        "give each service and API a unique id")
    for index, (_, client) in enumerate(clients):
        if [c for _, c in clients].index(client) != index:
            field = "entity_id" if provider.services[index].protocol == "saml" else "client_id"
            yield issue(item, ["services", index, field], "TC109", f"client {client!r} stands for two services",
                        "each service is its own client: give it its own entity id or client id")
    every_rubrique: set[str] = set()
    for s_index, service in enumerate(provider.services):
        rubriques = [r.id for r in service.rubriques]
        every_rubrique |= set(rubriques)
        for r_index, rubrique in enumerate(rubriques):
            if rubriques.index(rubrique) != r_index:
                yield issue(item, ["services", s_index, "rubriques", r_index, "id"], "TC104",
                            f"rubrique {rubrique!r} is declared twice", "give each rubrique a unique id")
        if service.protocol == "saml":
            for use, given in (("encryption", service.encryption), ("signing", service.signing)):
                if given is not None:
                    yield from _certificate_rules(item, s_index, use, given)
        if loas is not None and service.level_of_assurance and service.level_of_assurance not in loas:
            yield issue(item, ["services", s_index, "level_of_assurance"], "TC209",
                        f"unknown level of assurance {service.level_of_assurance!r}",
                        choices(service.level_of_assurance, loas))
    if provider.attestations is not None:
        yield from _attestation_rules(item, provider)
    for a_index, api in enumerate(provider.apis):
        for sc_index, scope in enumerate(api.scopes):
            if api.scopes.index(scope) != sc_index:
                yield issue(item, ["apis", a_index, "scopes", sc_index], "TC104",
                            f"scope {scope!r} is declared twice", "list each rubrique once")
            elif scope not in every_rubrique:
                yield issue(item, ["apis", a_index, "scopes", sc_index], "TC210",
                            f"{scope!r} is not a rubrique of any service of {provider.id}",
                            choices(scope, every_rubrique))


# what an attestation says besides its rubriques (each a claim of its own: none may take these names)
ATTESTATION_CLAIMS = ("organisation", "service", "given_name", "family_name")
RESERVED_CLAIMS = ("iss", "sub", "aud", "iat", "nbf", "exp", "jti", "vct", "cnf", "status", "_sd", "_sd_alg",
                   *ATTESTATION_CLAIMS)


def _attestation_rules(item: Located, provider: Provider) -> Iterator[Issue]:
    attestations = provider.attestations
    assert attestations is not None
    services = {s.id: s for s in provider.services}
    claims = set(ATTESTATION_CLAIMS)
    for c_index, credential in enumerate(attestations.credentials):
        service = services.get(credential.service)
        if service is None:
            yield issue(item, ["attestations", "credentials", c_index, "service"], "TC213",
                        f"{credential.service!r} is not a service of {provider.id}",
                        choices(credential.service, services))
            continue
        for r_index, rubrique in enumerate(service.rubriques):
            claims.add(rubrique.id)
            if rubrique.id in RESERVED_CLAIMS:
                s_index = provider.services.index(service)
                yield issue(item, ["services", s_index, "rubriques", r_index, "id"], "TC215",
                            f"rubrique {rubrique.id!r} of an attested service takes the name of a claim every "
                            "attestation carries", f"rename the rubrique: {', '.join(RESERVED_CLAIMS)} are taken")
    for v_index, verifier in enumerate(attestations.verifiers):
        for q_index, claim in enumerate(verifier.may_request):
            if claim not in claims:
                yield issue(item, ["attestations", "verifiers", v_index, "may_request", q_index], "TC214",
                            f"{claim!r} is in no attestation of {provider.id}", choices(claim, claims))


def _people_rules(item: Located) -> Iterator[Issue]:
    """Every person named is one plain identifier (TC306), so that four-eyes comparisons hold."""
    obj = item.obj
    fields: list[tuple[Path, str]] = [([name, i], person) for name in PEOPLE.get(item.kind, ())
                                      for i, person in enumerate(getattr(obj, name))]
    if isinstance(obj, Convention):
        for index, amendment in enumerate(obj.amendments):
            fields.append((["amendments", index, "prepared_by"], amendment.prepared_by))
            if amendment.verified_by is not None:
                fields.append((["amendments", index, "verified_by"], amendment.verified_by))
    for path, person in fields:
        problem = person_problem(person)
        if problem:
            yield issue(item, path, "TC306", problem, "write the person's e-mail address plainly: ASCII, no spaces, "
                        "the domain in lower case (e.g. caf33.verifier@caf.example)")


def check_rules(settings: list[Located], providers: list[Located], organisations: list[Located],
                conventions: list[Located], broken: Broken | None = None) -> list[Issue]:
    """Every finding on valid objects; what depends on a broken one (``broken``) is skipped."""
    broken = broken or Broken()
    ctx = Context(settings=cast(FederationSettings, settings[0].obj) if len(settings) == 1 and not broken.settings
                  else None,
                  providers={cast(Provider, p.obj).id: cast(Provider, p.obj) for p in providers},
                  orgs={cast(Organisation, o.obj).id: cast(Organisation, o.obj) for o in organisations},
                  broken=broken)
    issues = [*_unique(providers, "id", "provider id"), *_unique(organisations, "id", "organisation id"),
              *_unique(conventions, "id", "convention id"), *_unique([*providers, *organisations], "realm", "realm",
                                                                     "TC102")]
    for item in [*organisations, *providers, *conventions]:
        issues.extend(_people_rules(item))
    for item in organisations:
        issues.extend(_organisation_rules(item, ctx))
    for item in providers:
        issues.extend(_provider_rules(item, ctx))
    for item in conventions:
        issues.extend(convention_rules(item, ctx))
    issues.extend(one_form_per_service(conventions))
    if ctx.settings is not None:
        issues.extend(_settings_rules(settings[0], ctx.settings))
    return issues


def _settings_rules(item: Located, settings: FederationSettings) -> Iterator[Issue]:
    if settings.policies.password.character_classes not in (None, 0, 4):
        yield issue(item, ["policies", "password", "character_classes"], "TC602",
                    "Keycloak can require all four character classes or none, not some of them",
                    "use 4 (upper, lower, digit, special) or 0")
    for field in looser_fields(settings.profile_policies(), settings.policies_in_force()):
        yield issue(item, ["policies", *field], "TC603",
                     f"policies.{'.'.join(field)} loosens the {settings.policy_profile} profile",
                    "the federation may only tighten its profile: remove the setting, make it stricter, "
                    "or choose another policy_profile")
