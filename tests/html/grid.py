"""The access-matrix page read back as a person sees its structure: each service's grid (title,
column heads, rows of cells with their class and tooltip) and the legend's entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Grid:
    title: str = ""
    rubriques: list[str] = field(default_factory=list)
    # organisation name → [(cell class, tooltip)], one per rubrique column
    rows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


class PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.grids: list[Grid] = []
        self.legend: list[tuple[str, str]] = []  # (key class, label)
        self._in: list[str] = []  # what the text being read belongs to
        self._row: str | None = None
        self._in_grid = False  # inside a grid's <table> (not the page's other tables)
        self._spans = 0  # open <span> elements inside a legend entry

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if self._in[-1:] == ["legend"] and tag == "span":
            self._spans += 1
        if tag == "section" and "service" in classes:
            self.grids.append(Grid())
        elif tag == "table" and "grid" in classes:
            self._in_grid = True
        elif tag == "h2" and "service-title" in classes:
            self._in.append("title")
        elif tag == "span" and "legend-entry" in classes:
            self.legend.append(("", ""))
            self._in.append("legend")
            self._spans = 1
        elif tag == "span" and "key" in classes and self.legend:
            self.legend[-1] = (" ".join(c for c in classes if c != "key"), "")
        elif tag == "th" and "rot" in classes:
            self._in.append("rubrique")
        elif tag == "th" and self._in_grid and self._row is None and self.grids[-1].rubriques:
            self._in.append("organisation")
        elif tag == "td" and self._in_grid and self._row is not None:
            self.grids[-1].rows[self._row].append((a.get("class", ""), a.get("title", "")))
        elif tag == "tr":
            self._row = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._in_grid = False
        elif tag == "span" and self._in[-1:] == ["legend"]:
            self._spans -= 1
            if self._spans == 0:
                self._in.pop()
        elif tag in ("h2", "th") and self._in[-1:] in (["title"], ["rubrique"], ["organisation"]):
            self._in.pop()

    def handle_data(self, data: str) -> None:
        where = self._in[-1] if self._in else ""
        if where == "title":
            self.grids[-1].title += data
        elif where == "legend":
            key, label = self.legend[-1]
            self.legend[-1] = (key, (label + data).strip())
        elif where == "rubrique":
            self.grids[-1].rubriques.append(data)
        elif where == "organisation" and data.strip():
            self._row = data
            self.grids[-1].rows[data] = []


def read(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser
