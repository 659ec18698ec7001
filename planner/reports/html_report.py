"""``report.html``: the plan in one self-contained file a planner can e-mail.

One HTML file holds the headline figures, the plan's map (the offline map of
:func:`planner.maps.plan_map`, Leaflet inlined, in a sandboxed ``<iframe srcdoc>``), the charts
(:mod:`planner.reports.charts`) as inline PNG ``data:`` images and the tables a board reads
(regions, ICBs, deprivation deciles, open sites, hubs, N-1, costs, phasing). It loads nothing:
its Content-Security-Policy allows no request at all (only inline scripts and styles and
``data:`` images), so it draws the same on a laptop with no internet and inside an NHS network
that blocks CDNs.

Everything from the data (site, ICB and hub names, the scenario's title) is HTML-escaped; the
map escapes its own text (:mod:`planner.maps.text`) and its whole page is escaped again as the
iframe's ``srcdoc`` attribute, and the iframe is sandboxed (scripts, no same-origin access), so
nothing in the map can reach the report around it.

``window.reportReadyMs`` is set (milliseconds after navigation) once every chart is decoded
and the map has drawn (it posts ``plannerMapReady`` to the report when its
``window.plannerReadyMs`` is set), for the browser tests and the benchmark.
"""

from __future__ import annotations

import base64
from html import escape

import numpy as np
import pandas as pd

from planner.analysis.access import share_within
from planner.analysis.curves import TODAY_COLUMN
from planner.analysis.n_minus_1 import RANKING_RULE
from planner.plan import Plan
from planner.reports.charts import Chart
from planner.reports.columns import shown
from planner.reports.summary_rows import cost_label, headline_figures, status_sentence

#: No request of any kind; inline scripts and styles and data: images only. The map's iframe
#: (srcdoc) inherits the policy.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)

_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; color: #212b32; margin: 0 auto;
       max-width: 1100px; padding: 16px 24px 48px; line-height: 1.4; }
h1 { color: #005eb8; font-size: 26px; margin-bottom: 4px; }
h2 { color: #005eb8; font-size: 20px; border-bottom: 2px solid #e8edee; margin-top: 32px; }
.status { font-size: 15px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { background: #f0f4f5; border-left: 4px solid #005eb8; padding: 8px 12px;
        min-width: 150px; flex: 1 1 150px; }
.card .value { font-size: 22px; font-weight: bold; }
.card .label { font-size: 13px; color: #425563; }
iframe.planner-map { width: 100%; height: 640px; border: 1px solid #d8dde0; }
figure { margin: 16px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e8edee; }
figcaption { font-size: 13px; color: #425563; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th { background: #005eb8; color: #fff; text-align: left; padding: 4px 8px; vertical-align: top; }
td { border-bottom: 1px solid #e8edee; padding: 3px 8px; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
details summary { cursor: pointer; color: #005eb8; }
.note { font-size: 13px; color: #425563; }
"""

#: Records when the charts are decoded and the map has drawn (see the module docstring).
_READY_SCRIPT = """
(function () {
  var frame = document.querySelector("iframe.planner-map");
  var waiting = { map: frame !== null, charts: true };
  function check() {
    if (!waiting.map && !waiting.charts && window.reportReadyMs === undefined) {
      window.reportReadyMs = performance.now();
    }
  }
  window.addEventListener("message", function (event) {
    if (frame && event.source === frame.contentWindow && event.data === "plannerMapReady") {
      waiting.map = false;
      check();
    }
  });
  var images = Array.prototype.slice.call(document.images);
  Promise.all(images.map(function (img) { return img.decode().catch(function () {}); }))
    .then(function () { waiting.charts = false; check(); });
})();
"""

#: Added to the map's page: tells the report when the map has drawn.
_MAP_READY_SCRIPT = """<script>
(function () {
  function tell() {
    if (window.plannerReadyMs !== undefined) { parent.postMessage("plannerMapReady", "*"); }
    else { setTimeout(tell, 25); }
  }
  tell();
})();
</script>"""


def _html_table(frame: pd.DataFrame, headings: dict[str, str] | None = None) -> str:
    """A table of ``frame`` under its readable headings, every cell escaped."""
    text = shown(frame, headings)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns]
    head = "".join(f"<th>{escape(str(c))}</th>" for c in text.columns)
    rows = []
    for values in text.itertuples(index=False, name=None):
        cells = "".join(
            f'<td class="n">{escape(v)}</td>' if is_number else f"<td>{escape(v)}</td>"
            for v, is_number in zip(values, numeric, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _cards(plan: Plan) -> str:
    s = plan.summary
    wanted = {
        "Sites open": f"{s.get('sites_open', 0)}",
        "Static scanners": f"{s.get('scanners_fixed', 0)}",
        "Mobile-unit days a week": f"{s.get('mobile_days_per_week', 0)}",
    }
    minutes = s.get("access_target_minutes")
    if s.get("access_share") is not None and minutes is not None:
        wanted[f"Population within {minutes:g} min of a static scanner"] = (
            f"{s['access_share']:.1%}"
        )
        if TODAY_COLUMN in plan.demand:
            today = share_within(
                plan.demand["population"], plan.demand[TODAY_COLUMN].fillna(np.inf), minutes
            )
            wanted["The same with today's network (existing sites, scanners today)"] = (
                f"{today:.1%}"
            )
    if s.get("mean_travel_minutes") is not None:
        wanted["Mean travel (min)"] = f"{s['mean_travel_minutes']:.1f}"
    if s.get("unmet_scans") is not None:
        wanted["Unmet demand (scans a year)"] = f"{s['unmet_scans']:,.0f}"
    if s.get("annual_cost") is not None:
        wanted["Yearly cost, excluding patients' travel"] = f"£{s['annual_cost'] / 1e6:,.1f}m"
    cards = "".join(
        f'<div class="card"><div class="value">{escape(v)}</div>'
        f'<div class="label">{escape(k)}</div></div>'
        for k, v in wanted.items()
    )
    return f'<div class="cards">{cards}</div>'


def _all_figures(plan: Plan) -> str:
    rows = "".join(
        f"<tr><td>{escape(f.label)}</td><td>{escape(f.text)}</td></tr>"
        for f in headline_figures(plan.summary)
    )
    return (
        "<details><summary>Every headline figure</summary>"
        f"<table><thead><tr><th>Figure</th><th>Value</th></tr></thead><tbody>{rows}</tbody>"
        "</table></details>"
    )


def map_frame(map_html: str) -> str:
    """The map's page as a sandboxed iframe whose ``srcdoc`` holds it, escaped."""
    cut = map_html.rfind("</body>")
    page = map_html + _MAP_READY_SCRIPT if cut < 0 else (
        map_html[:cut] + _MAP_READY_SCRIPT + map_html[cut:]
    )  # fmt: skip
    return (
        '<iframe class="planner-map" title="Map of the plan" sandbox="allow-scripts" '
        f'srcdoc="{escape(page, quote=True)}"></iframe>'
    )


def _chart_figure(chart: Chart) -> str:
    data = base64.b64encode(chart.png).decode("ascii")
    width, height = (int(round(v)) for v in chart.figure.get_size_inches() * chart.figure.dpi)
    title = escape(chart.title)
    return (
        f'<figure id="chart-{chart.name}"><img class="planner-chart" alt="{title}" '
        f'width="{width}" height="{height}" src="data:image/png;base64,{data}">'
        f"<figcaption>{title}</figcaption></figure>"
    )


def _section(title: str, body: str, note: str = "") -> str:
    paragraph = f'<p class="note">{escape(note)}</p>' if note else ""
    return f"<section><h2>{escape(title)}</h2>{paragraph}{body}</section>"


def _table_sections(plan: Plan) -> list[str]:
    """The tables: regions, ICBs, deciles, open sites, hubs, N-1, costs, phasing."""
    parts = [_section("Regions", _html_table(plan.regions.drop(columns=["region_code"])))]
    areas = plan.areas
    if areas is not None and (areas["level"] == "icb").any():
        icbs = areas[areas["level"] == "icb"].sort_values(["share_within_access", "name"])
        minutes = float(icbs["access_minutes"].iloc[0])
        columns = ["name", "population", "scans", "unmet_scans", "mean_minutes"]
        table = icbs[[*columns, "share_within_access"]]
        headings = {"name": "ICB", "share_within_access": f"Population within {minutes:g} min"}
        body = _html_table(table, headings)
        parts.append(_section("Integrated Care Boards", body, "Least served first."))
    if plan.equity is not None and not plan.equity.empty:
        parts.append(
            _section(
                "Access and travel by deprivation decile",
                _html_table(plan.equity.drop(columns=["access_minutes"])),
                "IMD decile 1 is the most deprived tenth of areas, 10 the least.",
            )
        )
    open_sites = plan.sites[plan.sites["open"]].sort_values("assigned_scans", ascending=False)
    columns = ["name", "existing", "fixed_scanners", "mobile_days", "assigned_scans"]
    columns += ["capacity_scans", "utilisation"]
    columns += [c for c in ("hub_name", "open_year") if c in open_sites]
    parts.append(_section(f"Open sites ({len(open_sites)})", _html_table(open_sites[columns])))
    if plan.hubs is not None:
        hubs = plan.hubs[plan.hubs["open"]]
        columns = ["name", "linked_sites", "scanners", "trainee_load", "trainee_capacity"]
        parts.append(_section("Training hubs", _html_table(hubs[columns + ["network_scans"]])))
    if plan.resilience is not None and not plan.resilience.empty:
        columns = [
            "rank",
            "name",
            "scans_served",
            "scans_unabsorbed",
            "people_losing_access",
            "extra_minutes_per_moved_scan",
        ]
        shown_columns = [c for c in columns if c in plan.resilience]  # older plans: fewer
        parts.append(
            _section(
                "N-1: the sites whose loss would hurt most",
                f'<p class="note">{escape(RANKING_RULE[:1].upper() + RANKING_RULE[1:])}.</p>'
                + _html_table(plan.resilience.head(10)[shown_columns]),
            )
        )
    costs = plan.summary.get("costs") or {}
    if costs:
        items = [cost_label(k) for k in costs]
        table = pd.DataFrame({"item": items, "yearly_cost": list(costs.values())})
        parts.append(_section("Yearly costs", _html_table(table)))
    if plan.summary.get("phasing"):
        parts.append(
            _section(
                "Sites and scanners by year", _html_table(pd.DataFrame(plan.summary["phasing"]))
            )
        )
    return parts


def html_report(plan: Plan, charts: list[Chart], map_html: str | None) -> str:
    """The report page (see the module docstring).

    Parameters
    ----------
    plan
        The plan.
    charts
        Its charts (:func:`planner.reports.charts.plan_charts`).
    map_html
        The map's page, scripts inlined (``plan_map(plan).get_root().render()``); ``None``
        leaves the map out.
    """
    s = plan.summary
    title = escape(str(s.get("title") or s.get("scenario") or "PET-CT network plan"))
    body = [
        f"<h1>{title}</h1>",
        f'<p class="status">{escape(status_sentence(s))}</p>',
        _cards(plan),
        _all_figures(plan),
    ]
    if map_html is not None:
        body.append(_section("Map", map_frame(map_html), "Click a site for its figures."))
    if charts:
        body.append(_section("Charts", "".join(_chart_figure(c) for c in charts)))
    body.extend(_table_sections(plan))
    body.append(
        _section(
            "About these figures",
            "",
            "Costs and throughputs without a public source are stated assumptions "
            "(planner/defaults.py); geodata/README.md gives the sources of the data and the "
            "error of the travel-time estimates. Travel times: "
            f"{s.get('travel_source') or 'estimated'}.",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        + "\n".join(body)
        + f"<script>{_READY_SCRIPT}</script></body></html>\n"
    )
