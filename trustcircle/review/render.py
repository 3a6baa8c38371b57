"""The access matrix as Markdown, CSV and a standalone HTML page (no script, no external asset)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import asdict, fields
from html import escape

from trustcircle.review.matrix import Access, Pending

STATE_COLOURS = {"active": "#2e7d32", "expired": "#c62828", "not yet valid": "#f9a825"}
NO_ACCESS = "no access"
# the grid's legend, in the order it is read: every colour a cell can take, grey included
LEGEND = {**STATE_COLOURS, NO_ACCESS: "#e0e0e0"}


def state_class(state: str) -> str:
    """The CSS class of a grid cell and of its legend key (``not yet valid`` → ``not-yet-valid``)."""
    return state.replace(" ", "-")


def markdown(rows: list[Access], waiting: list[Pending], on: dt.date) -> str:
    lines = [f"# Access matrix on {on}", "",
             "| organisation | service | profile | rubrique | groups | valid from | valid until | convention | state |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.organisation_name} (`{r.organisation}`) | {r.service} | {r.profile} | {r.rubrique} | "
              f"{r.groups or 'all agents'} | {r.valid_from} | {r.valid_until} | {r.convention} "
              f"(amendment {r.amendment}) | {r.state} |" for r in rows]
    if waiting:
        lines += ["", "## Conventions pending or granting nothing", "",
                  "| convention | organisation | state | detail |", "| --- | --- | --- | --- |"]
        lines += [f"| {p.convention} | {p.organisation} | {p.state} | {p.detail} |" for p in waiting]
    return "\n".join(lines) + "\n"


def to_csv(rows: list[Access]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[f.name for f in fields(Access)], lineterminator="\n")
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    return out.getvalue()


def _cell(hit: Access | None) -> str:
    if hit is None:
        return f'<td class="{state_class(NO_ACCESS)}" title="{NO_ACCESS}"></td>'
    tip = f"{hit.profile} · {hit.convention} · {hit.valid_from} → {hit.valid_until} · {hit.state}"
    return f'<td class="{state_class(hit.state)}" title="{escape(tip)}"></td>'


def _service_grid(service: str, items: list[Access]) -> str:
    """One service's organisation-by-rubrique grid, titled with the service's name."""
    rubriques = sorted({r.rubrique for r in items})
    orgs = sorted({(r.organisation, r.organisation_name) for r in items})
    cell = {(r.organisation, r.rubrique): r for r in items}
    head = "".join(f'<th class="rot"><span>{escape(r)}</span></th>' for r in rubriques)
    body = "".join(f"<tr><th>{escape(name)}</th>{''.join(_cell(cell.get((org, r))) for r in rubriques)}</tr>"
                   for org, name in orgs)
    title = f"{items[0].service_name} ({service})"
    return (f'<section class="service"><h2 class="service-title">{escape(title)}</h2>'
            f"<table class=grid><tr><th></th>{head}</tr>{body}</table></section>")


def _grid(rows: list[Access]) -> str:
    """Organisation-by-rubrique grid per service, each cell coloured by the access state."""
    by_service: dict[str, list[Access]] = defaultdict(list)
    for row in rows:
        by_service[row.service].append(row)
    return "".join(_service_grid(service, items) for service, items in sorted(by_service.items()))


def _legend() -> str:
    return "".join(f'<span class="legend-entry"><span class="key {state_class(s)}"></span>{escape(s)}</span> '
                   for s in LEGEND)


def _css() -> str:
    cells = "\n".join(f".grid td.{state_class(s)}, .key.{state_class(s)} {{ background: {c}; }}"
                       for s, c in LEGEND.items())
    return f"""body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; font-size: .9rem; white-space: nowrap; }}
.grid td {{ width: 1.6rem; height: 1.6rem; padding: 0; }}
{cells}
.rot {{ height: 8rem; vertical-align: bottom; }}
.rot span {{ writing-mode: vertical-rl; transform: rotate(180deg); }}
.key {{ display: inline-block; width: 1rem; height: 1rem; margin: 0 .3rem 0 1rem; vertical-align: middle;
        border: 1px solid #999; }}"""


def html(rows: list[Access], waiting: list[Pending], on: dt.date) -> str:
    table_rows = "".join(
        f"<tr><td>{escape(r.organisation_name)}</td><td>{escape(r.service)}</td><td>{escape(r.profile)}</td>"
        f"<td>{escape(r.rubrique)}</td><td>{escape(r.groups or 'all agents')}</td>"
        f"<td>{r.valid_from}</td><td>{r.valid_until}</td>"
        f"<td>{escape(r.convention)} ({r.amendment})</td><td>{escape(r.state)}</td></tr>" for r in rows)
    pending_rows = "".join(f"<tr><td>{escape(p.convention)}</td><td>{escape(p.organisation)}</td>"
                           f"<td>{escape(p.state)}</td><td>{escape(p.detail)}</td></tr>" for p in waiting)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Access matrix on {on}</title>
<style>
{_css()}
</style></head><body>
<h1>Access matrix on {on}</h1>
<p>Derived from the conventions in force (the latest verified amendment of each verified convention).
</p>
<p class="legend">Legend: {_legend()}</p>
{_grid(rows)}
<h2>Every access</h2>
<table><tr><th>organisation</th><th>service</th><th>profile</th><th>rubrique</th><th>groups</th><th>valid from</th>
<th>valid until</th><th>convention (amendment)</th><th>state</th></tr>{table_rows}</table>
<h2>Conventions pending or granting nothing</h2>
<table><tr><th>convention</th><th>organisation</th><th>state</th><th>detail</th></tr>{pending_rows}</table>
</body></html>
"""
