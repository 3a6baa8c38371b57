"""Fixtures of the conformance suite (``target`` and ``admin`` come from the root conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.agents import Agent, create_agent, delete_agent
from trustcircle.keycloak.admin import Admin
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation, SamlService
from trustcircle.settings import REPO_ROOT


@pytest.fixture(scope="session")
def federation() -> Federation:
    return load_federation([REPO_ROOT / "realms"])


def cdap_of(federation: Federation) -> SamlService:
    """CDAP, the reference federation's SAML e-service (the suite plays its service provider)."""
    service = next(s for s in federation.provider("cnaf").services if s.id == "cdap")
    assert isinstance(service, SamlService)
    return service


@pytest.fixture(scope="session")
def cdap(federation: Federation) -> SamlService:
    return cdap_of(federation)


@pytest.fixture
def make_agent(admin: Admin, federation: Federation) -> Iterator[Callable[..., Agent]]:
    made: list[tuple[Agent, str]] = []
    provider = federation.providers[0]

    def make(organisation_id: str, *groups: str, with_otp: bool = False) -> Agent:
        org = federation.organisation(organisation_id)
        assert org.realm is not None
        agent = create_agent(admin, org.realm, f"{org.id}.example", groups, with_otp)
        made.append((agent, org.id))
        return agent

    yield make
    for agent, org_id in made:
        delete_agent(admin, agent, provider.realm, org_id)


def rubriques_in_force(federation: Federation, organisation: str, service: str) -> list[str]:
    """What the organisation's convention in force grants on ``service`` (sorted), as realms/ says."""
    convention = next(c for c in federation.conventions if c.organisation == organisation)
    amendment = convention.effective()
    assert amendment is not None, f"{organisation} has no convention in force"
    return sorted(next(f for f in amendment.forms if f.service == service).rubriques)
