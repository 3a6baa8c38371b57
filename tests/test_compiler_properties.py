"""Properties of the compiler over generated conventions (hypothesis), and the reference snapshot."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.issues import ValidationFailed
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Federation
from trustcircle.settings import REPO_ROOT

ENV = Environment(public_url="https://kc.example:8443")
REFERENCE = load_federation([REPO_ROOT / "realms"])
SNAPSHOT = REPO_ROOT / "tests" / "snapshots" / "reference-desired-state.json"
CNAF = REFERENCE.provider("cnaf")
SERVICES = {s.id: [r.id for r in s.rubriques] for s in CNAF.services}
CLIENTS = {s.id: s.client_id for s in CNAF.services}
PROFILES = [p.id for p in REFERENCE.settings.doctrine]
GROUPS = [g.id for g in REFERENCE.organisation("cd33").groups]
DAY = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))
VERIFIERS = list(REFERENCE.organisation("caf33").verifiers)
PERSONS = ["caf33.admin@caf.example", *VERIFIERS, *REFERENCE.organisation("caf69").verifiers]


@st.composite
def forms(draw: st.DrawFn, service: str) -> dict[str, Any]:
    """A membership form; its rubriques usually within the profile's doctrine, sometimes not."""
    start = draw(DAY)
    profile = draw(st.sampled_from([p for p in PROFILES if _doctrine(p, service)] * 3 + PROFILES))
    allowed = sorted(_doctrine(profile, service))
    pool = allowed if allowed and draw(st.integers(0, 5)) else SERVICES[service]
    return {"service": service, "profile": profile,
            "rubriques": draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6, unique=True)),
            "groups": draw(st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)),
            "valid_from": start.isoformat(),
            "valid_until": (start + dt.timedelta(days=draw(st.integers(-3, 2000)))).isoformat()}


@st.composite
def conventions(draw: st.DrawFn) -> dict[str, Any]:
    """Any convention of cd33 as a partner would write it — valid or not (doctrine, four-eyes,
    verifiers, dates): validation decides, the properties check what it lets through."""
    amendments = []
    for number in range(draw(st.sampled_from([1, 1, 2, 3]))):
        prepared = draw(DAY)
        preparer = draw(st.sampled_from([*[PERSONS[0]] * 6, *PERSONS]))
        verifier = draw(st.sampled_from([None, *PERSONS, *VERIFIERS * 4]))
        services = draw(st.lists(st.sampled_from(sorted(SERVICES)), min_size=1, max_size=2, unique=True))
        amendments.append({
            "number": number, "prepared_by": preparer, "prepared_on": prepared.isoformat(),
            **({"verified_by": verifier, "verified_on": (prepared + dt.timedelta(days=draw(st.integers(-1, 30))))
                .isoformat()} if verifier else {}),
            "forms": [draw(forms(s)) for s in services]})
    return {"id": "CNV-2030-0001", "organisation": "cd33", "provider": "cnaf", "managed_by": "caf33",
            "status": draw(st.sampled_from(["draft", "verified", "verified", "verified", "rejected"])),
            "amendments": amendments}


def _doctrine(profile: str, service: str) -> set[str]:
    return set(next(p for p in REFERENCE.settings.doctrine if p.id == profile).services.get(service, []))


@pytest.fixture(scope="module")
def realms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference realms/ with cd33's convention to be replaced by each generated one."""
    dest = tmp_path_factory.mktemp("properties") / "realms"
    shutil.copytree(REPO_ROOT / "realms", dest)
    (dest / "conventions" / "cnaf-cd33.yaml").unlink()
    return dest


def _validated(realms: Path, convention: dict[str, Any]) -> Federation | None:
    """The federation with this convention, as the loader and validator see it (None if refused)."""
    (realms / "conventions" / "generated.yaml").write_text(json.dumps({"convention": convention}))  # JSON is YAML
    try:
        return load_federation([realms])
    except ValidationFailed:
        return None


def _granted(federation: Federation) -> dict[str, set[str]]:
    objects = {o.ref.name: o for o in compile_federation(federation, ENV)}
    return {service: set(group.spec["clientRoles"][CLIENTS[service]])
            for service in SERVICES for group in [objects.get(f"cnaf/group//cd33/{service}")] if group}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(conventions())
def test_what_validation_accepts_never_grants_a_rubrique_the_doctrine_forbids(
        realms: Path, convention: dict[str, Any]) -> None:
    federation = _validated(realms, convention)
    verified = convention["status"] == "verified"
    in_force = [a for a in convention["amendments"] if a.get("verified_by")] if verified else []
    forbidden = [f for a in in_force[-1:] for f in a["forms"]
                 if not set(f["rubriques"]) <= _doctrine(f["profile"], f["service"])]
    if forbidden:
        assert federation is None, f"validation let through {forbidden}"
    if federation is None:
        return
    for service, granted in _granted(federation).items():
        form = next(f for f in in_force[-1]["forms"] if f["service"] == service)
        assert granted == set(form["rubriques"]) <= _doctrine(form["profile"], service)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(conventions())
def test_only_the_verified_amendment_in_force_is_granted(realms: Path, convention: dict[str, Any]) -> None:
    federation = _validated(realms, convention)
    if federation is None:
        return
    conv = next(c for c in federation.conventions if c.id == "CNV-2030-0001")
    in_force = conv.effective()
    expected = {f.service: set(f.rubriques) for f in in_force.forms} if in_force else {}
    assert _granted(federation) == expected


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(conventions())
def test_compilation_is_deterministic(realms: Path, convention: dict[str, Any]) -> None:
    federation = _validated(realms, convention)
    if federation is None:
        return
    first = [o.canonical() for o in compile_federation(federation, ENV)]
    again = [o.canonical() for o in compile_federation(load_federation([realms]), ENV)]
    assert first == again


def test_reference_desired_state_matches_the_snapshot() -> None:
    current = json.dumps([o.as_dict() for o in compile_federation(REFERENCE, ENV)], indent=1, ensure_ascii=False)
    if os.environ.get("TRUSTCIRCLE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current + "\n")
    assert SNAPSHOT.read_text() == current + "\n", (
        "the compiled reference federation changed: review the change, then refresh the snapshot with "
        "TRUSTCIRCLE_UPDATE_SNAPSHOTS=1 ./run test")
