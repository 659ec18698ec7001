"""Charts of a plan, drawn with matplotlib: for notebooks, ``charts/*.png`` and report.html.

Each ``*_chart(plan)`` returns a :class:`matplotlib.figure.Figure` (``None`` when the plan has
nothing to show: no phasing, no ICB figures, no deprivation deciles), which a notebook shows
inline as it is, and :func:`save_charts` writes them all as PNG files. Figures are made with
:class:`~matplotlib.figure.Figure` itself, never through ``pyplot``, and rendered by the Agg
backend: nothing opens a window, no global figure list grows, and a server or a test run draws
the same pixels as a laptop.

Names from the data (sites, ICBs) are drawn as plain text: matplotlib's mathtext is switched off
while drawing, so a name with ``$`` signs shows as typed and cannot break the drawing.

The charts:

* ``access_curve``: the share of the population within m minutes of a static scanner, for
  every m, in the plan and in today's network, and the plan's scans by the minutes they travel
  (:func:`planner.analysis.curves.access_curve`);
* ``utilisation``: assigned scans over capacity at each open site;
* ``costs``: the yearly cost by item;
* ``phasing``: sites, static scanners and mobile-unit days in each planning year;
* ``icb_access``: the share of residents within the access time, by ICB;
* ``equity``: access and travel by deprivation decile (:mod:`planner.analysis.equity`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from planner.analysis.curves import access_curve
from planner.files import write_file
from planner.plan import Plan
from planner.reports.summary_rows import cost_label

#: NHS identity colours: blue for the plan, dark grey for today, and their tints.
PLAN, TODAY, SCANS, WARM = "#005EB8", "#425563", "#41B6E6", "#ED8B00"
#: At most this many sites in the utilisation chart (the fullest first) and inches per bar.
MAX_SITE_BARS = 60
BAR_INCHES = 0.22
DPI = 100
_STYLE = {
    "text.parse_math": False,  # data may hold "$": show it as typed
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "svg.fonttype": "path",
}


@dataclass(frozen=True)
class Chart:
    """One chart of a plan: its file name (without ``.png``), its title and its figure."""

    name: str
    title: str
    figure: Figure

    @cached_property
    def png(self) -> bytes:
        """The figure as PNG (:func:`png_bytes`), drawn once for every report that shows it."""
        return png_bytes(self.figure)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_STYLE):
        return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _pounds(value: float, _position=None) -> str:
    if abs(value) >= 1e6:
        return f"£{value / 1e6:,.1f}m"
    return f"£{value / 1e3:,.0f}k" if abs(value) >= 1e3 else f"£{value:,.0f}"


#: The access chart's lines: column of the curve, label, colour, width, style.
_CURVES = (
    ("plan", "This plan", PLAN, 2.2, "-"),
    ("today", "Today's network (existing sites, their scanners today)", TODAY, 1.8, "--"),
    ("scans", "Scans a year by the minutes they travel in this plan (static or mobile)", SCANS,
     1.4, ":"),
)  # fmt: skip


def access_curve_chart(plan: Plan) -> Figure:
    """The access S-curve: population within m minutes of a static scanner, plan vs today."""
    curve = access_curve(plan.demand, plan.assignments)
    s = plan.summary
    fig = _figure(8, 4.5)
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        for column, label, colour, width, style in _CURVES:
            if column in curve:
                ax.plot(curve["minutes"], curve[column], color=colour, lw=width, ls=style,
                        label=label)  # fmt: skip
        minutes = s.get("access_target_minutes")
        if minutes is not None:
            ax.axvline(minutes, color="#AEB7BD", lw=1, zorder=0)
            if s.get("access_target_share") is not None:
                ax.axhline(s["access_target_share"], color=WARM, lw=1, ls="-.", zorder=0)
                ax.annotate(
                    f"target {s['access_target_share']:.0%} within {minutes:g} min",
                    (curve["minutes"].iloc[-1], s["access_target_share"]),
                    ha="right",
                    va="top",
                    color=WARM,
                    fontsize=8,
                )
        access_axes(
            ax,
            curve["minutes"].iloc[-1],
            ylabel="Share of the population (of scans, dotted)",
            title="Population within each travel time of a static scanner",
            legend_size=8,
        )
    return fig


def access_axes(ax, right: float, *, ylabel: str, title: str, legend_size: float) -> None:
    """The axes of an access S-curve chart: minutes from 0 to ``right``, shares in percent."""
    ax.set_xlim(0, right)
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Travel time (minutes)")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", frameon=False, fontsize=legend_size)


def utilisation_chart(plan: Plan) -> Figure | None:
    """Utilisation of each open site, fullest first (at most :data:`MAX_SITE_BARS`)."""
    sites = plan.sites[plan.sites["open"] & (plan.sites["capacity_scans"] > 0)]
    if sites.empty:
        return None
    sites = sites.sort_values(["utilisation", "name"], ascending=[False, True])
    shown = sites.head(MAX_SITE_BARS)
    fig = _figure(8, 1.2 + BAR_INCHES * len(shown))
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        y = np.arange(len(shown))
        static = shown["fixed_scanners"].to_numpy(int) > 0
        ax.barh(y, shown["utilisation"], color=np.where(static, PLAN, WARM), height=0.7)
        ax.set_yticks(y, [" ".join(str(n).split())[:60] for n in shown["name"]], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, max(1.0, float(shown["utilisation"].max()) * 1.05))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.axvline(1.0, color=TODAY, lw=0.8)
        of = f", the {len(shown)} fullest of {len(sites)}" if len(sites) > len(shown) else ""
        ax.set_title(f"Utilisation of the open sites{of} (blue: static, orange: mobile only)")
        ax.set_xlabel("Scans a year assigned, as a share of capacity")
        ax.grid(axis="x", alpha=0.3)
    return fig


def cost_chart(plan: Plan) -> Figure | None:
    """The yearly cost by item, in pounds (patients' travel and the unmet penalty apart)."""
    costs = {k: v for k, v in (plan.summary.get("costs") or {}).items() if v}
    if not costs:
        return None
    items = list(costs)
    values = np.array([costs[k] for k in items], float)
    fig = _figure(8, 1.2 + 0.4 * len(items))
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        y = np.arange(len(items))
        outside = [k in ("travel", "unmet_penalty") for k in items]
        ax.barh(y, values, color=[SCANS if o else PLAN for o in outside], height=0.6)
        ax.set_yticks(y, [cost_label(k) for k in items])
        ax.invert_yaxis()
        for i, v in enumerate(values):
            ax.annotate(_pounds(v), (v, i), xytext=(3, 0), textcoords="offset points", va="center")
        ax.set_xlim(0, values.max() * 1.18)
        ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
        annual = plan.summary.get("annual_cost")
        total = f"{_pounds(annual)} a year excluding patients' travel; " if annual else ""
        ax.set_title("Yearly cost by item")
        ax.set_xlabel(f"{total}light blue: not in the yearly cost")
        ax.grid(axis="x", alpha=0.3)
    return fig


def phasing_chart(plan: Plan) -> Figure | None:
    """Sites open, static scanners and mobile-unit days in each planning year."""
    if not plan.summary.get("phasing"):
        return None
    by_year = pd.DataFrame(plan.summary["phasing"]).set_index("year")
    fig = _figure(8, 4)
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        x = np.arange(len(by_year))
        series = (
            ("sites_open", "Sites open", TODAY),
            ("scanners_fixed", "Static scanners", PLAN),
            ("mobile_days_per_week", "Mobile-unit days a week", WARM),
        )
        for i, (column, label, colour) in enumerate(series):
            bars = ax.bar(x + (i - 1) * 0.27, by_year[column], 0.27, label=label, color=colour)
            ax.bar_label(bars, fontsize=7, padding=1)
        ax.set_xticks(x, [f"year {int(y)}" for y in by_year.index])
        ax.set_title("Sites and scanners by planning year")
        ax.legend(frameon=False, loc="upper left")
        ax.grid(axis="y", alpha=0.3)
    return fig


def _icb_name(name: str) -> str:
    text = " ".join(str(name).split()).replace(" Integrated Care Board", "")
    return text.removeprefix("NHS ")[:60]


def icb_access_chart(plan: Plan) -> Figure | None:
    """Share of each ICB's residents within the access time, least served first."""
    areas = plan.areas
    if areas is None or not (areas["level"] == "icb").any():
        return None
    icbs = areas[areas["level"] == "icb"].sort_values(["share_within_access", "name"])
    minutes = float(icbs["access_minutes"].iloc[0])
    fig = _figure(8, 1.2 + BAR_INCHES * len(icbs))
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        y = np.arange(len(icbs))
        ax.barh(y, icbs["share_within_access"], color=PLAN, height=0.7)
        ax.set_yticks(y, [_icb_name(n) for n in icbs["name"]], fontsize=7)
        ax.invert_yaxis()
        for i, share in enumerate(icbs["share_within_access"]):
            ax.annotate(
                f"{share:.1%}",
                (share, i),
                xytext=(-2, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                color="white",
                fontsize=6,
            )
        target = plan.summary.get("access_target_share")
        if target is not None:
            ax.axvline(target, color=WARM, lw=1, ls="-.")
            ax.set_xlabel(f"Share of residents (orange line: the target, {target:.0%})")
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_title(f"Residents within {minutes:g} min of a static scanner, by ICB")
        ax.grid(axis="x", alpha=0.3)
    return fig


def equity_chart(plan: Plan) -> Figure | None:
    """Access (plan and today) and mean travel by deprivation decile."""
    table = plan.equity
    if table is None or table.empty:
        return None
    minutes = float(table["access_minutes"].iloc[0])
    fig = _figure(9, 3.8)
    with matplotlib.rc_context(_STYLE):
        left, right = fig.subplots(1, 2)
        x = table["imd_decile"].to_numpy(int)
        today = table["today_share_within_access"]
        width = 0.4 if today.notna().any() else 0.7
        left.bar(
            x - (width / 2 if width < 0.7 else 0),
            table["share_within_access"],
            width,
            color=PLAN,
            label="This plan",
        )
        if today.notna().any():
            left.bar(x + width / 2, today, width, color=TODAY, label="Today's network")
            left.legend(frameon=False, loc="upper center", ncol=2)
        left.set_ylim(0, 1.15)
        left.set_yticks(np.linspace(0, 1, 6))
        left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        left.set_title(f"Residents within {minutes:g} min")
        right.bar(x, table["mean_minutes"], 0.7, color=SCANS)
        right.set_title("Mean travel of the scans (min)")
        for ax in (left, right):
            ax.set_xticks(range(1, 11))
            ax.set_xlim(0.4, 10.6)
            ax.set_xlabel("IMD decile (1 = most deprived, 10 = least)")
            ax.grid(axis="y", alpha=0.3)
        fig.suptitle(
            "Access and travel by deprivation decile", fontweight="bold", x=0.02, ha="left"
        )
    return fig


#: (file name, title, chart function) in the order the reports show them.
CHARTS: tuple[tuple[str, str, Callable[[Plan], Figure | None]], ...] = (
    ("access_curve", "Access: population within each travel time", access_curve_chart),
    ("icb_access", "Access by Integrated Care Board", icb_access_chart),
    ("equity", "Access and travel by deprivation decile", equity_chart),
    ("utilisation", "Utilisation by site", utilisation_chart),
    ("costs", "Yearly cost by item", cost_chart),
    ("phasing", "Sites and scanners by year", phasing_chart),
)


def plan_charts(plan: Plan) -> list[Chart]:
    """Every chart the plan has something to show in (see the module docstring)."""
    charts = []
    for name, title, draw in CHARTS:
        figure = draw(plan)
        if figure is not None:
            charts.append(Chart(name, title, figure))
    return charts


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG, drawn by Agg (no timestamp: the same plan gives the same bytes)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context(_STYLE):
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def save_charts(charts: list[Chart], folder: str | os.PathLike) -> dict[str, Path]:
    """Write each chart to ``folder/<name>.png``; return the paths by chart name."""
    folder = Path(folder)
    paths = {}
    for chart in charts:
        data = chart.png
        paths[chart.name] = write_file(
            folder / f"{chart.name}.png", lambda t, d=data: t.write_bytes(d)
        )
    return paths
