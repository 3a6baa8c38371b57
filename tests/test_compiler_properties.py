"""Properties of the compiler over generated conventions (hypothesis), and the reference snapshot."""

from __future__ import annotations

import datetime as dt
import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trustcircle.compiler.compile import compile_federation
from trustcircle.compiler.environment import Environment
from trustcircle.model.loader import load_federation
from trustcircle.model.schema import Amendment, Convention, Federation, MembershipForm
from trustcircle.settings import REPO_ROOT

ENV = Environment(public_url="https://kc.example:8443")
REFERENCE = load_federation([REPO_ROOT / "realms"])
SNAPSHOT = REPO_ROOT / "tests" / "snapshots" / "reference-desired-state.json"
RUBRIQUES = [r.id for r in REFERENCE.provider("cnaf").services[0].rubriques]
PROFILES = [p.id for p in REFERENCE.settings.doctrine]
DAY = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def conventions(draw: st.DrawFn) -> Convention:
    """Any convention for cd33 — valid or not as to the doctrine: the compiler is total on the model."""
    start = draw(DAY)
    forms = [MembershipForm(service="cdap", profile=draw(st.sampled_from(PROFILES)),
                            rubriques=draw(st.lists(st.sampled_from(RUBRIQUES), min_size=1, max_size=6, unique=True)),
                            valid_from=start, valid_until=start + dt.timedelta(days=draw(st.integers(0, 2000))))]
    amendments = [Amendment(number=n, prepared_by="caf33.admin@caf.example", prepared_on=start,
                            verified_by=draw(st.sampled_from([None, "caf33.verifier@caf.example"])),
                            verified_on=start, forms=forms) for n in range(draw(st.integers(1, 3)))]
    return Convention(id="CNV-2030-0001", organisation="cd33", provider="cnaf", managed_by="caf33",
                      status=draw(st.sampled_from(["draft", "verified", "rejected", "terminated"])),
                      amendments=amendments)


def _with(conv: Convention) -> Federation:
    others = tuple(c for c in REFERENCE.conventions if c.organisation != "cd33")
    return REFERENCE.model_copy(update={"conventions": (*others, conv)})


def _granted(federation: Federation) -> set[str]:
    objects = compile_federation(federation, ENV)
    group = next((o for o in objects if o.ref.name == "cnaf/group//cd33/cdap"), None)
    return set(group.spec["clientRoles"]["urn:trustcircle:sp:cdap"]) if group else set()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conventions())
def test_only_the_verified_amendment_in_force_is_granted(conv: Convention) -> None:
    in_force = conv.effective()
    expected = set(in_force.forms[0].rubriques) if in_force else set()
    assert _granted(_with(conv)) == expected


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conventions())
def test_a_valid_convention_never_yields_a_rubrique_the_doctrine_forbids(conv: Convention) -> None:
    federation = _with(conv)
    doctrine = {p.id: set(p.services.get("cdap", [])) for p in federation.settings.doctrine}
    in_force = conv.effective()
    if in_force is None or not set(in_force.forms[0].rubriques) <= doctrine[in_force.forms[0].profile]:
        return  # validation refuses it before compilation (TC501): covered by the corpus
    assert _granted(federation) <= doctrine[in_force.forms[0].profile]


def test_reference_desired_state_matches_the_snapshot() -> None:
    current = json.dumps([o.as_dict() for o in compile_federation(REFERENCE, ENV)], indent=1, ensure_ascii=False)
    if os.environ.get("TRUSTCIRCLE_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(current + "\n")
    assert SNAPSHOT.read_text() == current + "\n", (
        "the compiled reference federation changed: review the change, then refresh the snapshot with "
        "TRUSTCIRCLE_UPDATE_SNAPSHOTS=1 ./run test")
