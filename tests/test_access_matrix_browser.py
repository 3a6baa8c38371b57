"""The access-matrix page in a real browser (Debian's Chromium, headless): it renders, each grid's
title and each legend entry takes room on screen, cells and legend keys show their colours. The
screenshot stays in reports/access-matrix.png for a person to look at."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.html import chromium
from trustcircle.model.loader import load_federation
from trustcircle.review import render
from trustcircle.review.matrix import access_rows, pending
from trustcircle.settings import REPO_ROOT

SCREENSHOT = REPO_ROOT / "reports" / "access-matrix.png"
ON = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    federation = load_federation([REPO_ROOT / "realms"])
    path = tmp_path_factory.mktemp("review") / "access-matrix.html"
    path.write_text(render.html(access_rows(federation, ON), pending(federation), ON), encoding="utf-8")
    return path


def _rgb(css: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


def _hex(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_titles_and_legend_are_on_screen_in_their_colours(page: Path) -> None:
    boxes = chromium.measure(page, {"titles": "h2.service-title", "legend": ".legend-entry",
                                    "keys": ".legend .key", "grey": ".grid td.no-access"})
    services = sorted({(r.service, r.service_name) for r in access_rows(load_federation([REPO_ROOT / "realms"]), ON)})
    assert [t["text"] for t in boxes["titles"]] == [f"{name} ({sid})" for sid, name in services]
    assert all(float(str(b["width"])) > 0 and float(str(b["height"])) > 0 for b in boxes["titles"] + boxes["legend"])
    assert [b["text"] for b in boxes["legend"]] == list(render.LEGEND)
    assert [_rgb(str(k["background"])) for k in boxes["keys"]] == [_hex(c) for c in render.LEGEND.values()]
    assert boxes["grey"] and {_rgb(str(g["background"])) for g in boxes["grey"]} == {_hex(render.LEGEND["no access"])}


def test_the_screenshot_shows_the_page(page: Path) -> None:
    chromium.screenshot(page, SCREENSHOT)
    width, height, rows = chromium.pixels(SCREENSHOT)
    assert (width, height) == (1280, 1600)
    size = len(rows[0]) // width
    seen = {row[x:x + 3] for row in rows for x in range(0, len(row), size)}
    # every legend colour is painted somewhere (the grid's cells and the legend's keys)
    for state, colour in render.LEGEND.items():
        assert bytes(_hex(colour)) in seen, f"no pixel of {state} ({colour}) in {SCREENSHOT}"
