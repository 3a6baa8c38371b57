"""The auditors' access matrix: what is in force, what is expired, what is pending or refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

from trustcircle.model.loader import load_federation
from trustcircle.review import render
from trustcircle.review.matrix import access_rows, pending
from trustcircle.settings import REPO_ROOT

ON = dt.date(2026, 11, 22)


def _rows() -> list[tuple[str, str, str]]:
    return [(r.organisation, r.rubrique, r.state) for r in access_rows(load_federation([REPO_ROOT / "realms"]), ON)]


def test_matrix_holds_the_amendment_in_force_with_its_state() -> None:
    rows = _rows()
    assert ("cd33", "ressources", "active") in rows  # added by amendment 1, verified
    assert ("cpam69", "paiement", "active") not in rows  # amendment 1 awaits verification
    assert {state for org, _, state in rows if org == "chu-bordeaux"} == {"expired"}
    assert not any(org == "ccas-bordeaux" for org, _, _ in rows)  # rejected


def test_the_same_matrix_later_shows_expiry() -> None:
    later = access_rows(load_federation([REPO_ROOT / "realms"]), dt.date(2027, 3, 1))
    assert {r.state for r in later if r.organisation == "cpam69"} == {"expired"}


def test_pending_and_refused_conventions_are_listed() -> None:
    waiting = {(p.convention, p.state) for p in pending(load_federation([REPO_ROOT / "realms"]))}
    assert waiting == {("CNV-2026-0002", "rejected"), ("CNV-2026-0003", "amendment 1 awaiting verification")}


def test_every_format_renders_every_access() -> None:
    federation = load_federation([REPO_ROOT / "realms"])
    rows, waiting = access_rows(federation, ON), pending(federation)
    parsed = list(csv.DictReader(io.StringIO(render.to_csv(rows))))
    assert len(parsed) == len(rows) and parsed[0]["convention"]
    md = render.markdown(rows, waiting, ON)
    assert md.count("\n| ") >= len(rows) + len(waiting)
    page = render.html(rows, waiting, ON)
    assert page.count('title="T5 · CNV-2026-0001') == 5 and "<script" not in page
