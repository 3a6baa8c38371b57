"""Debian's Chromium, headless, as a real browser for the pages trustcircle writes: a screenshot,
and the DOM after layout (with a measuring script added to a copy of the page)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_S = 120

# Added to a copy of the page: each selected element's box and background colour, as JSON.
MEASURE = """<script>
const out = {};
for (const [name, selector] of Object.entries(%s)) {
  out[name] = [...document.querySelectorAll(selector)].map(e => {
    const r = e.getBoundingClientRect();
    return {text: e.textContent.trim(), width: r.width, height: r.height, top: r.top,
            background: getComputedStyle(e).backgroundColor};
  });
}
const pre = document.createElement("pre"); pre.id = "measured"; pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
</script>"""


def binary() -> str:
    """The browser (``TRUSTCIRCLE_CHROMIUM`` or ``chromium`` on PATH; scripts/lib.sh installs it).
    Missing, the test is skipped, and fails in CI."""
    found = os.environ.get("TRUSTCIRCLE_CHROMIUM") or shutil.which("chromium")
    if not found:
        message = "no chromium: install Debian's chromium (./run test does) or set TRUSTCIRCLE_CHROMIUM"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _run(*args: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run([binary(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=TIMEOUT_S, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1600) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run(f"--window-size={width},{height}", f"--screenshot={png}", page.resolve().as_uri())


def measure(page: Path, selectors: dict[str, str]) -> dict[str, list[dict[str, object]]]:
    """The boxes of the elements ``selectors`` name, once Chromium has laid the page out."""
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / page.name
        copy.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE % json.dumps(selectors)
                                                                  + "</body>"), encoding="utf-8")
        dom = _run("--window-size=1280,1600", "--dump-dom", copy.as_uri())
    start = dom.index('<pre id="measured">') + len('<pre id="measured">')
    text = dom[start:dom.index("</pre>", start)]
    return json.loads(text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))


def pixels(png: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) pixels of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunks[kind] = chunks.get(kind, b"") + data[pos + 8:pos + 8 + length]
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format (depth {depth}, colour type {colour})"
    size = 3 if colour == 2 else 4
    raw, stride, rows, prior = zlib.decompress(chunks[b"IDAT"]), width * size, [], bytes(width * size)
    for y in range(height):
        line = raw[y * (stride + 1):(y + 1) * (stride + 1)]
        prior = _unfilter(line[0], bytearray(line[1:]), prior, size)
        rows.append(prior)
    return width, height, rows


def _unfilter(kind: int, line: bytearray, prior: bytes, size: int) -> bytes:
    for i in range(len(line)):
        left = line[i - size] if i >= size else 0
        up, corner = prior[i], prior[i - size] if i >= size else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            best = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))[2]
            line[i] = (line[i] + best) & 0xFF
    return bytes(line)


@contextlib.contextmanager
def driven() -> Iterator[Browser]:
    """The same browser driven by Playwright (clicks, typing, reading the DOM): Playwright's own
    browser download is never used, Debian's Chromium is launched instead."""
    from playwright.sync_api import sync_playwright

    executable = binary()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=[f for f in FLAGS if f != "--headless"], timeout=TIMEOUT_S * 1000)
        try:
            yield browser
        finally:
            browser.close()
