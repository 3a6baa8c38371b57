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


def _grid(rows: list[Access]) -> str:
    """Organisation-by-rubrique grid per service, each cell coloured by the access state."""
    parts: list[str] = []
    by_service: dict[str, list[Access]] = defaultdict(list)
    for row in rows:
        by_service[row.service].append(row)
    for service, items in sorted(by_service.items()):
        title = f"{items[0].service_name} ({service})"
        rubriques = sorted({r.rubrique for r in items})
        orgs = sorted({(r.organisation, r.organisation_name) for r in items})
        cell = {(r.organisation, r.rubrique): r for r in items}
        head = "".join(f'<th class="rot"><span>{escape(r)}</span></th>' for r in rubriques)
        body = []
        for org_id, org_name in orgs:
            tds = []
            for rubrique in rubriques:
                hit = cell.get((org_id, rubrique))
                if hit is None:
                    tds.append('<td class="none"></td>')
                else:
                    title = f"{hit.profile} · {hit.convention} · {hit.valid_from} → {hit.valid_until} · {hit.state}"
                    tds.append(f'<td style="background:{STATE_COLOURS[hit.state]}" title="{escape(title)}"></td>')
            body.append(f"<tr><th>{escape(org_name)}</th>{''.join(tds)}</tr>")
        parts.append(f"<h2>{escape(title)}</h2><table class=grid><tr><th></th>{head}</tr>{''.join(body)}</table>")
    return "".join(parts)


def html(rows: list[Access], waiting: list[Pending], on: dt.date) -> str:
    legend = "".join(f'<span class=key style="background:{c}"></span>{escape(s)} ' for s, c in STATE_COLOURS.items())
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
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2rem; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; font-size: .9rem; white-space: nowrap; }}
.grid td {{ width: 1.6rem; height: 1.6rem; padding: 0; }}
.grid td.none {{ background: #f3f3f3; }}
.rot {{ height: 8rem; vertical-align: bottom; }}
.rot span {{ writing-mode: vertical-rl; transform: rotate(180deg); }}
.key {{ display: inline-block; width: 1rem; height: 1rem; margin: 0 .3rem 0 1rem; vertical-align: middle; }}
</style></head><body>
<h1>Access matrix on {on}</h1>
<p>Derived from the conventions in force (the latest verified amendment of each verified convention).
Legend: {legend}</p>
{_grid(rows)}
<h2>Every access</h2>
<table><tr><th>organisation</th><th>service</th><th>profile</th><th>rubrique</th><th>groups</th><th>valid from</th>
<th>valid until</th><th>convention (amendment)</th><th>state</th></tr>{table_rows}</table>
<h2>Conventions pending or granting nothing</h2>
<table><tr><th>convention</th><th>organisation</th><th>state</th><th>detail</th></tr>{pending_rows}</table>
</body></html>
"""
