"""``sweep.html``: a sweep's trade-offs in one self-contained page, in the style of report.html.

The page holds cards (runs, with a plan, skipped as complete, the cheapest run and the one
reaching most people), an interactive frontier of yearly cost against access drawn as inline
SVG (each run a point: hover for its values and figures; efficient runs joined), the charts
of :mod:`planner.reports.sweep_charts` as inline PNG, the tornado table of a one-at-a-time
sweep and the results table, sortable by clicking a heading. Like report.html it loads
nothing (the same Content-Security-Policy: :data:`planner.reports.html_report.CSP`) and every
text from the scenario or the values is HTML-escaped; the one inline script sorts the table.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

import pandas as pd

from planner.files import write_file, write_text
from planner.reports.charts import save_charts
from planner.reports.html_report import _STYLE, CSP, _chart_figure, _section
from planner.reports.sweep_charts import efficient, short_labels, sweep_charts, tornado_table

_SORT_SCRIPT = """
(function () {
  document.querySelectorAll("table.sortable th").forEach(function (th, column) {
    th.style.cursor = "pointer";
    th.addEventListener("click", function () {
      var body = th.closest("table").tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var down = th.getAttribute("data-down") !== "1";
      th.setAttribute("data-down", down ? "1" : "0");
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-v"), y = b.cells[column].getAttribute("data-v");
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
        return down ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  window.sweepReady = true;
})();
"""
_SVG_STYLE = """
svg.frontier circle { fill: #41b6e6; stroke: #fff; }
svg.frontier circle.on { fill: #005eb8; }
svg.frontier circle:hover { stroke: #ed8b00; stroke-width: 3; }
svg.frontier text { font-size: 11px; fill: #425563; }
"""


def _money(value: float) -> str:
    return f"£{value / 1e6:,.2f} m" if abs(value) >= 1e6 else f"£{value:,.0f}"


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td data-v=""></td>'
    if isinstance(value, float):
        text = f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
        return f'<td class="n" data-v="{value!r}">{escape(text)}</td>'
    if isinstance(value, int):
        return f'<td class="n" data-v="{value}">{value:,}</td>'
    return f'<td data-v="{escape(str(value))}">{escape(str(value))}</td>'


def results_html(results: pd.DataFrame) -> str:
    """The results table, every cell escaped, sortable (see the script)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in results.columns)
    rows = []
    for values in results.astype(object).itertuples(index=False, name=None):
        rows.append("<tr>" + "".join(_cell(v) for v in values) + "</tr>")
    return (
        f'<table class="sortable" id="results"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def frontier_svg(results: pd.DataFrame, labels: list[str]) -> str:
    """Cost against access as inline SVG, one hoverable point per run with a plan."""
    ok = results["status"].isin(["optimal", "feasible"])
    if not ok.any():
        return '<p class="note">No run has a plan.</p>'
    on = efficient(results)
    cost = results["yearly_cost"].astype(float)
    share = results["share_within_access"].astype(float)
    width, height, pad = 760, 380, 60
    lo_c, hi_c = cost[ok].min(), cost[ok].max()
    lo_s, hi_s = share[ok].min(), share[ok].max()
    span_c, span_s = (hi_c - lo_c) or 1.0, (hi_s - lo_s) or 0.01

    def xy(i: int) -> tuple[float, float]:
        x = pad + (cost.iloc[i] - lo_c) / span_c * (width - 2 * pad)
        y = height - pad - (share.iloc[i] - lo_s) / span_s * (height - 2 * pad)
        return round(x, 1), round(y, 1)

    front = [i for i in results[on].sort_values("yearly_cost").index]
    parts = [
        f'<svg class="frontier" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="Cost against access">',
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#aeb7bd"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#aeb7bd"/>',
        f'<text x="{pad}" y="{height - 20}">{escape(_money(lo_c))}</text>',
        f'<text x="{width - pad}" y="{height - 20}" text-anchor="end">{escape(_money(hi_c))}'
        "</text>",
        f'<text x="{pad - 6}" y="{height - pad}" text-anchor="end">{lo_s:.1%}</text>',
        f'<text x="{pad - 6}" y="{pad + 4}" text-anchor="end">{hi_s:.1%}</text>',
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle">yearly cost</text>',
    ]
    if len(front) > 1:
        path = " ".join(f"{x},{y}" for x, y in (xy(results.index.get_loc(i)) for i in front))
        parts.append(f'<polyline points="{path}" fill="none" stroke="#005eb8" stroke-width="2"/>')
    for i in range(len(results)):
        if not ok.iloc[i]:
            continue
        x, y = xy(i)
        tip = (
            f"{labels[i]}: {_money(cost.iloc[i])} a year, {share.iloc[i]:.2%} within the access "
            f"minutes, {results['sites_open'].iloc[i]} sites, "
            f"{results['static_scanners'].iloc[i]} static scanners"
        )
        css = ' class="on"' if on.iloc[i] else ""
        parts.append(f'<circle{css} cx="{x}" cy="{y}" r="6"><title>{escape(tip)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _cards(result) -> str:
    table = result.results
    ok = table["status"].isin(["optimal", "feasible"])
    cards = [
        ("runs", f"{len(table):,}"),
        ("with a plan", f"{int(ok.sum()):,}"),
        ("already complete, skipped", f"{result.skipped:,}"),
        ("infeasible or failed", f"{int((~ok).sum()):,}"),
    ]
    if ok.any():
        cheapest = table.loc[table[ok]["yearly_cost"].astype(float).idxmin()]
        cards.append(("cheapest run, a year", _money(float(cheapest["yearly_cost"]))))
        cards.append(
            ("best access share", f"{table[ok]['share_within_access'].astype(float).max():.2%}")
        )
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="value">{escape(v)}</div>'
            f'<div class="label">{escape(k)}</div></div>'
            for k, v in cards
        )
        + "</div>"
    )


def sweep_html(result, charts, tornado: pd.DataFrame, scenario_name: str) -> str:
    """The page (see the module docstring)."""
    labels = [p.label for p in result.points]
    title = escape(f"Sweep of {scenario_name}: {len(result.points)} runs")
    keys = ", ".join(v.key for v in result.varies)
    body = [
        f"<h1>{title}</h1>",
        f'<p class="status">{escape(result.design.replace("_", " "))} design over '
        f"{escape(keys)}</p>",
        _cards(result),
        _section(
            "Cost against access",
            frontier_svg(result.results, labels),
            "Each point is a run with a plan; hover for its figures. Dark points are the "
            "frontier: no other run is both cheaper and reaches more people.",
        ),
    ]
    if charts:
        body.append(_section("Charts", "".join(_chart_figure(c) for c in charts)))
    if not tornado.empty:
        body.append(_section("Sensitivity (one at a time)", results_html(tornado)))
    body.append(
        _section(
            "Every run",
            results_html(result.results),
            "Click a heading to sort. Yearly cost is the model's objective: service, "
            "patients' travel and unmet demand at its penalty.",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}{_SVG_STYLE}</style></head><body>"
        + "\n".join(body)
        + f"<script>{_SORT_SCRIPT}</script></body></html>\n"
    )


def write_sweep_outputs(result) -> dict[str, Path]:
    """``DIR/charts/*.png`` and ``DIR/sweep.html`` of a finished sweep; their paths by name."""
    moved = [p.moved for p in result.points]
    keys = [v.key for v in result.varies]
    tornado = (
        tornado_table(result.results, moved, keys)
        if result.design == "one_at_a_time"
        else pd.DataFrame()
    )
    labels = short_labels(result.points)
    charts = sweep_charts(result.folder, result.results, labels, tornado)
    paths = {f"chart {k}": v for k, v in save_charts(charts, result.folder / "charts").items()}
    html = sweep_html(result, charts, tornado, result.scenario_name or result.folder.name)
    paths["page"] = write_text(result.folder / "sweep.html", html)
    if not tornado.empty:
        paths["tornado"] = write_file(
            result.folder / "tornado.csv", lambda tmp: tornado.to_csv(tmp, index=False)
        )
    return paths
