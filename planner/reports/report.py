"""Board reports of a saved plan: Markdown, an Excel workbook, charts and one HTML page.

``planner report PLAN_DIR`` (and ``planner run``) writes ``report.md`` (headline figures, solver
status, the charts, regions, ICBs, deprivation deciles, the busiest sites, hubs, costs and the
assumptions behind them), ``charts/*.png`` (:mod:`planner.reports.charts`), ``report.xlsx``
(:mod:`planner.reports.workbook`: formatted sheets and native charts) and ``report.html``
(:mod:`planner.reports.html_report`: one self-contained page with the map, charts and tables).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import pandas as pd

from planner import headline
from planner.analysis.n_minus_1 import RANKING_RULE
from planner.files import write_file, write_text
from planner.maps import plan_map
from planner.plan import Plan
from planner.reports.charts import Chart, plan_charts, save_charts
from planner.reports.html_report import html_report
from planner.reports.summary_rows import status_sentence
from planner.reports.workbook import write_workbook

#: The folder of the charts' PNG files, inside the report's folder.
CHARTS_FOLDER = "charts"


def _money(value: float | None) -> str:
    return headline.shown(value, "£{:,.0f}")


def _pct(value: float | None) -> str:
    return headline.shown(value, "{:.1%}")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def md_text(value) -> str:
    """Text from the data, safe in Markdown: shown as typed, never as HTML, links or markup.

    A site named ``<img src=x onerror=alert(1)>`` must read as that text wherever the report
    is rendered, and a name cannot break a table row or start a heading.
    """
    text = " ".join(str(value).split())  # newlines would end a table row
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def md_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table; every cell and heading passed through :func:`md_text`."""
    cells = frame.map(md_text)
    header = "| " + " | ".join(md_text(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(row) + " |" for row in cells.to_numpy().tolist()]
    return "\n".join([header, rule, *rows])


def _headline_section(s: dict) -> list[str]:
    """Title, solver status, the headline table, and the warnings a board must not miss."""
    shares = s.get("share_within_minutes", {})
    rows = [
        ("Sites open", headline.sites_text(s)),
        ("Today vs plan", headline.changes_text(s)),
        ("Static scanners", f"{s['scanners_fixed']:,}"),
        ("Mobile units", headline.mobile_text(s)),
        ("Demand (scans a year)", f"{s['demand_scans']:,.0f}"),
        ("Unmet demand (scans a year)", f"{s['unmet_scans']:,.0f}"),
        ("Mean travel (minutes)", headline.shown(s["mean_travel_minutes"], "{:.1f}")),
        ("95th percentile travel (minutes)", headline.shown(s.get("p95_travel_minutes"), "{:.1f}")),
        *[(f"Population within {k} min of a static scanner", _pct(v)) for k, v in shares.items()],
        ("Mean scanner utilisation", _pct(s.get("mean_utilisation"))),
        ("Yearly cost, all parts (the model's objective)", _money(s.get("total_cost"))),
        (
            "Yearly cost of the service (all but patients' travel and unmet demand)",
            _money(s.get("annual_cost")),
        ),
        ("One-off capital", headline.capital_text(s)),
    ]
    headline_table = pd.DataFrame(
        [(k, v) for k, v in rows if v is not None], columns=["measure", "value"]
    )
    parts = [
        f"# {md_text(s.get('title') or s.get('scenario'))}",
        "",
        status_sentence(s),
        "",
        "## Headline figures",
        "",
        md_table(headline_table),
        "",
    ]
    access, room, tracer = (
        headline.access_text(s),
        headline.headroom_text(s),
        headline.tracer_text(s),
    )
    if access:
        parts += [f"Access target: {md_text(access)}.", ""]
    if room:
        parts += [f"**{md_text(room)}.**", ""]
    if s.get("unmet_scans", 0) >= 0.5:
        parts += [
            f"**WARNING: {s['unmet_scans']:,.0f} scans a year are left unmet**; their penalty "
            "is part of the yearly cost above.",
            "",
        ]
    if tracer:
        parts += [f"FDG supply: {md_text(tracer)}.", ""]
    return parts


def _regions_section(plan: Plan) -> list[str]:
    """Residents, demand, unmet demand and travel by region."""
    regions = plan.regions.copy()
    regions_view = pd.DataFrame(
        {
            "region": regions["region_name"],
            "population": regions["population"].map("{:,.0f}".format),
            "scans a year": regions["demand_scans"].map("{:,.0f}".format),
            "unmet": regions["unmet_scans"].map("{:,.0f}".format),
            "mean travel (min)": regions["mean_travel_minutes"].map("{:.1f}".format),
            "within 60 min": regions["share_within_60"].map(_pct),
        }
    )
    return ["## Regions", "", md_table(regions_view), ""]


def _icb_section(plan: Plan) -> list[str]:
    """Access and travel by Integrated Care Board, least served first."""
    areas = plan.areas
    if areas is None or not (areas["level"] == "icb").any():
        return []
    icbs = areas[areas["level"] == "icb"].sort_values(["share_within_access", "name"])
    minutes = float(icbs["access_minutes"].iloc[0])
    view = pd.DataFrame(
        {
            "ICB": icbs["name"].str.replace(" Integrated Care Board", "", regex=False),
            "population": icbs["population"].map("{:,.0f}".format),
            "scans a year": icbs["scans"].map("{:,.0f}".format),
            "unmet": icbs["unmet_scans"].map("{:,.0f}".format),
            "mean travel (min)": icbs["mean_minutes"].map("{:.1f}".format),
            f"within {minutes:g} min": icbs["share_within_access"].map(_pct),
        }
    )
    return [
        "## Integrated Care Boards",
        "",
        f"The {len(icbs)} ICBs, least served first (share of residents within {minutes:g} "
        "minutes of an open static scanner).",
        "",
        md_table(view),
        "",
    ]


def _sites_section(plan: Plan) -> list[str]:
    """The open sites, busiest first."""
    open_sites = plan.sites[plan.sites["open"]].sort_values("assigned_scans", ascending=False)
    sites_view = pd.DataFrame(
        {
            "site": open_sites["name"],
            "existing": open_sites["existing"].map({True: "yes", False: "new"}),
            "static scanners": open_sites["fixed_scanners"],
            "mobile days": open_sites["mobile_days"],
            "scans a year": open_sites["assigned_scans"].map("{:,.0f}".format),
            "utilisation": open_sites["utilisation"].map(_pct),
        }
    )
    if "hub_id" in open_sites:
        sites_view["hub"] = open_sites["hub_id"].to_numpy()
    return [f"## Open sites ({len(open_sites)})", "", md_table(sites_view), ""]


def _hubs_section(plan: Plan) -> list[str]:
    """The open training hubs and their networks; nothing for a plan without hubs."""
    if plan.hubs is None:
        return []
    hubs = plan.hubs[plan.hubs["open"]]
    hubs_view = pd.DataFrame(
        {
            "hub": hubs["name"],
            "linked sites": hubs["linked_sites"],
            "scanners": hubs["scanners"],
            "trainee load": hubs["trainee_load"].map("{:.0f}".format),
            "trainee places": hubs["trainee_capacity"].map("{:.0f}".format),
            "scans a year in its network": hubs["network_scans"].map("{:,.0f}".format),
        }
    )
    return ["## Training hubs", "", md_table(hubs_view), ""]


def _resilience_section(plan: Plan) -> list[str]:
    """The ten sites whose loss would hurt most, by the stated rule; nothing if N-1 was not run."""
    r = plan.resilience
    if r is None or r.empty:
        return []
    if "scans_unabsorbed" not in r:  # a plan saved before the N-1 table had these columns
        return []
    r = r.head(10)
    minutes = float(r["access_minutes"].iloc[0])
    view = pd.DataFrame(
        {
            "rank": r["rank"],
            "site": r["name"],
            "scans a year": r["scans_served"].map("{:,.0f}".format),
            "could go nowhere else": r["scans_unabsorbed"].map("{:,.0f}".format),
            "moved to other sites": r["scans_moved"].map("{:,.0f}".format),
            "extra minutes per moved scan": r["extra_minutes_per_moved_scan"].map("{:.0f}".format),
            f"people losing a static scanner within {minutes:g} min": r["people_losing_access"].map(
                "{:,.0f}".format
            ),
        }
    )
    s = plan.summary
    spare = (s.get("capacity_scans") or 0) - (s.get("assigned_scans") or 0)
    return [
        "## N-1: what the loss of each site would mean",
        "",
        f"Each open site closed in turn, every other site keeping its capacity; {RANKING_RULE}. "
        "Scans that could go nowhere else are counted apart, never averaged into the travel; "
        "the extra minutes count every patient moved, those moved to make room for the closed "
        f"site's patients too (planner/analysis/n_minus_1.py). The network has {spare:,.0f} "
        "scans a year of spare capacity in all: no closure can place more than that elsewhere.",
        "",
        md_table(view),
        "",
    ]


def _costs_section(s: dict) -> list[str]:
    """Yearly costs by item, what each includes, and their total; nothing without costs."""
    rows = headline.cost_rows(s)
    if not rows:
        return []
    table = pd.DataFrame(
        [(item, includes, _money(pounds)) for item, includes, pounds in rows]
        + [("total", "", _money(s.get("total_cost")))],
        columns=["item", "what it includes", "pounds a year"],
    )
    return ["## Yearly costs", "", md_table(table), "", md_text(headline.total_sentence(s)), ""]


def _about_section(s: dict) -> list[str]:
    """Where the figures come from, and which are assumptions."""
    return [
        "## About these figures",
        "",
        "Costs and throughputs without a public source are stated assumptions "
        "(planner/defaults.py). The embedded demand zones are England's 2011 LSOAs, each "
        "holding an equal share of its region's Census 2021 population, and sites without a "
        "known hospital stand at their town centre (geodata/README.md, which gives the error "
        "of both). Travel times: "
        f"{s.get('travel_source') or 'estimated'}; estimates are calibrated against routed road "
        "times, whose error geodata/README.md publishes.",
        "",
        (
            f"Solved with {s['solver']} in {headline.shown(s.get('solve_seconds'), '{:.1f}')} s."
            if s.get("solver")
            else "The solver and its time were not recorded in this plan's summary."
        ),
        "",
    ]


def _charts_section(charts: list[Chart]) -> list[str]:
    """Links to the charts' PNG files (beside the report, under ``charts/``)."""
    if not charts:
        return []
    lines = ["## Charts", ""]
    for chart in charts:
        lines += [f"![{md_text(chart.title)}]({CHARTS_FOLDER}/{chart.name}.png)", ""]
    return lines


def _equity_section(plan: Plan) -> list[str]:
    """Access and travel by deprivation decile; nothing when the zones carry no decile."""
    table = plan.equity
    if table is None or table.empty:
        return []
    minutes = float(table["access_minutes"].iloc[0])
    view = pd.DataFrame(
        {
            "IMD decile": table["imd_decile"].astype(int),
            "population": table["population"].map("{:,.0f}".format),
            "scans a year": table["scans"].map("{:,.0f}".format),
            "unmet": table["unmet_scans"].map("{:,.0f}".format),
            "mean travel (min)": table["mean_minutes"].map("{:.1f}".format),
            f"within {minutes:g} min": table["share_within_access"].map(_pct),
            f"within {minutes:g} min today": table["today_share_within_access"].map(_pct),
        }
    )
    return [
        "## Access and travel by deprivation decile",
        "",
        "IMD decile 1 is the most deprived tenth of areas, 10 the least; 'today' is today's "
        "network (the existing sites with their scanners today).",
        "",
        md_table(view),
        "",
    ]


def markdown_report(plan: Plan, charts: list[Chart] | None = None) -> str:
    """The plan as a Markdown document; ``charts`` (written under ``charts/``) are linked."""
    s = plan.summary
    parts = [
        *_headline_section(s),
        *_charts_section(charts or []),
        *_regions_section(plan),
        *_icb_section(plan),
        *_equity_section(plan),
        *_sites_section(plan),
        *_hubs_section(plan),
        *_resilience_section(plan),
        *_costs_section(s),
        *_about_section(s),
    ]
    return "\n".join(parts)


def write_report(plan: Plan, folder: str | os.PathLike) -> tuple[Path, Path, Path]:
    """Write ``charts/*.png``, ``report.md``, ``report.xlsx`` and ``report.html`` into
    ``folder``; return the paths of the three reports."""
    folder = Path(folder)
    charts = plan_charts(plan)
    save_charts(charts, folder / CHARTS_FOLDER)
    md_path = write_text(folder / "report.md", markdown_report(plan, charts))
    xlsx_path = write_file(folder / "report.xlsx", lambda tmp: write_workbook(plan, tmp))
    page = html_report(plan, charts, plan_map(plan).get_root().render())
    html_path = write_text(folder / "report.html", page)
    return md_path, xlsx_path, html_path
