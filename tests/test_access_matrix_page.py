"""The access-matrix page read back from its HTML: each grid titled with its service, every colour
in the legend, every cell the access of its own organisation and rubrique (or grey: no access)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.html.grid import read
from trustcircle.model.loader import load_federation
from trustcircle.review import render
from trustcircle.review.matrix import Access, access_rows, pending
from trustcircle.settings import REPO_ROOT


@pytest.fixture(scope="module", params=[dt.date(2026, 11, 22), dt.date(2027, 3, 1), dt.date(2025, 6, 1)])
def rows(request: pytest.FixtureRequest) -> list[Access]:
    return access_rows(load_federation([REPO_ROOT / "realms"]), request.param)


def _page(rows: list[Access]) -> str:
    return render.html(rows, pending(load_federation([REPO_ROOT / "realms"])), dt.date(2026, 11, 22))


def test_each_grid_is_titled_with_its_service(rows: list[Access]) -> None:
    services = sorted({(r.service, r.service_name) for r in rows})
    assert [g.title for g in read(_page(rows)).grids] == [f"{name} ({sid})" for sid, name in services]


def test_the_legend_names_every_colour_a_cell_can_take_grey_included(rows: list[Access]) -> None:
    page = read(_page(rows))
    assert page.legend == [(render.state_class(s), s) for s in ("active", "expired", "not yet valid", "no access")]
    used = {cls for grid in page.grids for cells in grid.rows.values() for cls, _ in cells}
    assert used <= {key for key, _ in page.legend} and "no-access" in used


def test_each_cell_is_the_access_of_its_own_organisation_and_rubrique(rows: list[Access]) -> None:
    page = read(_page(rows))
    by_name = {(r.service_name, r.organisation_name, r.rubrique): r for r in rows}
    seen = 0
    for grid in page.grids:
        service_name = grid.title.rsplit(" (", 1)[0]
        for organisation, cells in grid.rows.items():
            assert len(cells) == len(grid.rubriques)
            for rubrique, (cls, tip) in zip(grid.rubriques, cells, strict=True):
                access = by_name.get((service_name, organisation, rubrique))
                if access is None:
                    assert (cls, tip) == ("no-access", "no access")
                    continue
                seen += 1
                assert cls == render.state_class(access.state)
                assert tip == (f"{access.profile} · {access.convention} · {access.valid_from} → "
                               f"{access.valid_until} · {access.state}")
    assert seen == len(rows)
