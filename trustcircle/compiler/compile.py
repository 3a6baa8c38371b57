"""Compile the model into the desired Keycloak state (pure and deterministic)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from trustcircle import ids
from trustcircle.compiler import dates, delegation
from trustcircle.compiler.attestations import attestation_objects
from trustcircle.compiler.desired import DesiredObject, Ref
from trustcircle.compiler.environment import Environment
from trustcircle.compiler.flows import own_users_flows, post_broker_flow
from trustcircle.compiler.oidc import oidc_identity_provider
from trustcircle.compiler.policies import realm_settings
from trustcircle.compiler.saml import broker_client, identity_provider, service_client
from trustcircle.compiler.services import (
    api_client_scopes,
    application_client,
    application_client_policies,
    oidc_service_client,
)
from trustcircle.model.policies import Policies, effective
from trustcircle.model.schema import (
    Convention,
    Federation,
    FederationSettings,
    MembershipForm,
    Organisation,
    Provider,
)


def _realm(name: str, display: str, policies: Policies, env: Environment, settings: FederationSettings,
           organisation: str | None = None, **specific: Any) -> DesiredObject:
    """A realm's whole specification, built here once; ``organisation``: whose trust area it is (the
    consistency listener follows its agents to the providers); ``specific``: what only organisation
    or provider realms have."""
    attributes = {ids.MANAGED_BY_ATTR: ids.MANAGED_BY, ids.FEDERATION_ATTR: settings.id,
                  **({ids.ORGANISATION_ATTR: organisation} if organisation else {})}
    if settings.levels_of_assurance:  # requested and asserted levels read through Keycloak's ACR-to-LoA map
        attributes[ids.ACR_LOA_MAP_ATTR] = json.dumps({loa.acr: loa.factors for loa in settings.levels_of_assurance},
                                                      sort_keys=True)
    spec: dict[str, Any] = {
        "realm": name, "displayName": display, "enabled": True, "sslRequired": "all",
        **realm_settings(policies),
        "eventsEnabled": True, "adminEventsEnabled": True, "adminEventsDetailsEnabled": True,
        "eventsListeners": ["jboss-logging", ids.AUDIT_LISTENER, ids.ACCOUNT_MAIL_LISTENER,
                            ids.TEMPORARY_PASSWORD_LISTENER, ids.CONSISTENCY_LISTENER],
        "attributes": attributes,
        # with outgoing mail: account set-up mails, and "forgot password" on the sign-in page
        "resetPasswordAllowed": env.smtp is not None,
        **({"smtpServer": dict(env.smtp)} if env.smtp is not None else {}),
        **specific,
    }
    return DesiredObject(Ref("realm", name, name), spec)


def _user_profile(realm: str, policy: str, attributes: tuple[str, ...] = ()) -> DesiredObject:
    """``attributes``: declared for administrators (seen and written through the admin API)."""
    declared = [{"name": name, "displayName": name, "multivalued": False,
                 "permissions": {"view": ["admin"], "edit": ["admin"]},
                 "annotations": {ids.MANAGED_BY_ATTR: ids.MANAGED_BY}} for name in sorted(attributes)]
    return DesiredObject(Ref("user_profile", realm, "user-profile"),
                         {"unmanagedAttributePolicy": policy, **({"attributes": declared} if declared else {})},
                         (Ref("realm", realm, realm),))


# what a provider realm's access accounts receive from home besides name and e-mail (declared in its profile)
ACCESS_ACCOUNT_ATTRIBUTES = ("addressLine1", "addressLine2", ids.STATUS_ATTR, ids.SOURCE_ATTR,
                             ids.CONSISTENCY_DISABLED_ATTR)


def _access_accounts(provider: Provider) -> Iterator[DesiredObject]:
    """How the provider realm opens access accounts: one per organisation's agent, never linked to
    another (first broker login: create, or refuse when the name is taken; e-mails may repeat, so
    no e-mail ever matches two organisations' agents), and brokered agents hold no account role
    that would let them link an identity themselves.

    Keycloak creates the account and links it in two requests: a first sign-in cut between them
    leaves the agent's account without its link, which only that agent's next first sign-in
    resumes (the extension's ``trustcircle-resume-first-sign-in``: the same name, no link, no
    credential, no group); any other account of that name is refused as before."""
    realm = Ref("realm", provider.realm, provider.realm)
    flow = {"alias": ids.FIRST_BROKER_FLOW_ALIAS, "providerId": "basic-flow", "topLevel": True,
            "description": "An agent's first sign-in from their organisation: a new access account of their own, "
                           "never a link to an existing one.",
            "executions": [{"provider": "idp-create-user-if-unique", "requirement": "ALTERNATIVE"},
                           {"provider": ids.RESUME_FIRST_SIGN_IN, "requirement": "ALTERNATIVE"}]}
    yield DesiredObject(Ref("flow", provider.realm, ids.FIRST_BROKER_FLOW_ALIAS), flow, (realm,))
    yield DesiredObject(Ref("default_roles", provider.realm, "default-roles"),
                        {"clientRoles": {"account": ["view-profile"]}}, (realm,))


def _convention_group(provider: Provider, conv: Convention, number: int, form: MembershipForm,
                      zone: ZoneInfo) -> DesiredObject:
    service = next(s for s in provider.services if s.id == form.service)
    realm = Ref("realm", provider.realm, provider.realm)
    path = f"/{conv.organisation}/{form.service}"
    spec: dict[str, Any] = {
        "name": form.service,
        "path": path,
        "attributes": {
            ids.MANAGED_BY_ATTR: [ids.MANAGED_BY],
            ids.CONVENTION_ID_ATTR: [conv.id],
            ids.CONVENTION_SERVICE_ATTR: [form.service],
            ids.CONVENTION_STATUS_ATTR: [conv.status],
            ids.CONVENTION_VALID_FROM_ATTR: [dates.first_instant(form.valid_from, zone)],
            ids.CONVENTION_VALID_UNTIL_ATTR: [dates.end_instant(form.valid_until, zone)],
            "trustcircle.convention.profile": [form.profile],
            "trustcircle.convention.amendment": [str(number)],
            "trustcircle.convention.groups": sorted(form.groups),
        },
        "clientRoles": {service.client_id: sorted(form.rubriques)},
    }
    parent = Ref("group", provider.realm, f"/{conv.organisation}")
    return DesiredObject(Ref("group", provider.realm, path), spec,
                         (realm, parent, Ref("client", provider.realm, service.client_id)))


def _organisation(provider: Provider, org: Organisation, env: Environment,
                  convention_groups: list[DesiredObject], ceiling: int | None) -> Iterator[DesiredObject]:
    """``ceiling``: the highest level of assurance the organisation's identities may assert."""
    home: tuple[Ref, ...] = ()
    if org.realm is not None:  # agents in the organisation's own Keycloak realm
        org_realm = Ref("realm", org.realm, org.realm)
        home = (org_realm,)
        broker = broker_client(provider, org, env)
        yield DesiredObject(Ref("client", org.realm, broker["clientId"]), broker, home)
    group = {"name": org.id, "path": f"/{org.id}",
             "attributes": {ids.MANAGED_BY_ATTR: [ids.MANAGED_BY], ids.ORGANISATION_ATTR: [org.id]},
             "clientRoles": {}}
    p_realm = Ref("realm", provider.realm, provider.realm)
    group_ref = Ref("group", provider.realm, f"/{org.id}")
    yield DesiredObject(group_ref, group, (p_realm,))
    paths = {g.ref.key: list(g.spec["attributes"]["trustcircle.convention.groups"]) for g in convention_groups}
    if org.authentication.type == "oidc":
        idp = oidc_identity_provider(org, org.authentication, paths, ceiling)
    else:
        idp = identity_provider(provider, org, env, paths, ceiling)
    flows = (Ref("flow", provider.realm, ids.POST_BROKER_FLOW_ALIAS),
             Ref("flow", provider.realm, ids.FIRST_BROKER_FLOW_ALIAS))
    yield DesiredObject(Ref("identity_provider", provider.realm, org.id), idp,
                        (p_realm, group_ref, *flows, *home,
                         *(g.ref for g in convention_groups)))


def _organisation_realm(org: Organisation, realm: str, base: Policies, env: Environment,
                        settings: FederationSettings, granted: set[str]) -> Iterator[DesiredObject]:
    """``granted``: the organisation's groups that conventions in force name (delegates grant those only)."""
    ref = Ref("realm", realm, realm)
    # delegated administration (compiler.delegation) needs the realm's admin permissions
    yield _realm(realm, org.name, effective(base, org.policies), env, settings, organisation=org.id,
                 adminPermissionsEnabled=True)
    yield from own_users_flows(realm, effective(base, org.policies))
    yield _user_profile(realm, "ADMIN_EDIT")  # administrators grant habilitations as user attributes
    for group in org.groups:
        path = f"/{group.id}"
        spec = {"name": group.id, "path": path, "clientRoles": {},
                "attributes": {ids.MANAGED_BY_ATTR: [ids.MANAGED_BY], "trustcircle.group.name": [group.name]}}
        yield DesiredObject(Ref("group", realm, path), spec, (ref,))
    yield from delegation.organisation_delegates(org, ref, granted)


def _applications(federation: Federation, provider: Provider, zone: ZoneInfo) -> Iterator[DesiredObject]:
    """The partners' applications named by the forms of conventions in force, as clients calling the APIs."""
    realm = Ref("realm", provider.realm, provider.realm)
    for conv in federation.conventions:
        amendment = conv.effective() if conv.provider == provider.id else None
        for form in amendment.forms if amendment is not None else []:
            for app in form.applications:
                spec = application_client(provider, conv, form, app, dates.first_instant(form.valid_from, zone),
                                          dates.end_instant(form.valid_until, zone))
                scopes = tuple(Ref("client_scope", provider.realm, name) for name in spec["optionalClientScopes"])
                yield DesiredObject(Ref("client", provider.realm, spec["clientId"]), spec, (realm, *scopes))


def _ceiling(settings: FederationSettings, org: Organisation) -> int | None:
    """The most factors among the levels the organisation's identities are good enough for (0:
    none; no levels in the federation: no limit)."""
    if not settings.levels_of_assurance:
        return None
    return max((loa.factors for loa in settings.levels_of_assurance
                if loa.minimum_quality <= org.identities.quality), default=0)


def _granted(federation: Federation, organisation: str) -> set[str]:
    """The organisation's groups named by the forms of its conventions in force."""
    return {group for conv in federation.conventions if conv.organisation == organisation
            for amendment in [conv.effective()] if amendment is not None
            for form in amendment.forms for group in form.groups}


def _issuer(issues: bool) -> dict[str, Any]:
    """The provider realm's settings of Keycloak's OID4VCI issuer, when it issues attestations."""
    return {"verifiableCredentialsEnabled": True} if issues else {}


def compile_federation(federation: Federation, env: Environment) -> list[DesiredObject]:
    """The desired state, in a stable order (sorted by kind order, then name)."""
    zone = ZoneInfo(federation.settings.timezone)
    base = federation.settings.policies_in_force()
    levels = {loa.id: loa.factors for loa in federation.settings.levels_of_assurance}
    settings = federation.settings
    objects: list[DesiredObject] = [obj for o in federation.organisations if o.realm
                                    for obj in _organisation_realm(o, o.realm, base, env, settings,
                                                                   _granted(federation, o.id))]
    for provider in federation.providers:
        p_realm = Ref("realm", provider.realm, provider.realm)
        issues = bool(provider.attestations and env.attestations)  # habilitation attestations, if the target can
        objects += [_realm(provider.realm, provider.name, base, env, settings, duplicateEmailsAllowed=True,
                           loginWithEmailAllowed=False, **application_client_policies(),
                           # Keycloak's OID4VCI issuer, for the habilitation attestations
                           **_issuer(issues)),
                    # what organisations assert, for auditors; what flows from home, for the checker
                    _user_profile(provider.realm, "ADMIN_VIEW", ACCESS_ACCOUNT_ATTRIBUTES),
                    *_access_accounts(provider),
                    post_broker_flow(provider.realm, base, issues),
                    # the realm's own administrators sign in like an organisation's (agents are brokered)
                    *own_users_flows(provider.realm, base, redirector=True)]
        if provider.administrators:
            objects.append(delegation.provider_administrators(p_realm, provider.administrators))
        for service in provider.services:
            client = service_client(service, env) if service.protocol == "saml" else oidc_service_client(service)
            if service.level_of_assurance:  # the minimum the assurance gate enforces
                client["attributes"][ids.ASSURANCE_ATTR] = str(levels[service.level_of_assurance])
            objects.append(DesiredObject(Ref("client", provider.realm, service.client_id), client, (p_realm,)))
        if issues:
            objects.extend(attestation_objects(provider))
        for name, scope in api_client_scopes(provider):
            objects.append(DesiredObject(Ref("client_scope", provider.realm, name), scope, (p_realm,)))
        groups = [_convention_group(provider, conv, amendment.number, form, zone)
                  for conv in federation.conventions if conv.provider == provider.id
                  for amendment in [conv.effective()] if amendment is not None
                  for form in amendment.forms]
        objects.extend(groups)
        objects.extend(_applications(federation, provider, zone))
        for org in federation.organisations:
            own = [g for g in groups if g.ref.key.startswith(f"/{org.id}/")]
            objects.extend(_organisation(provider, org, env, own, _ceiling(settings, org)))
    names = [o.ref.name for o in objects]
    if len(names) != len(set(names)):  # validation (TC106) prevents it; never emit two objects of one name
        raise ValueError("duplicate objects: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))
    return sorted(objects, key=lambda o: (o.ref.realm, o.ref.kind, o.ref.key))
