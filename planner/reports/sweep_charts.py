"""Charts of a sweep's trade-offs, drawn with matplotlib (Agg, as :mod:`planner.reports.charts`).

* ``frontier``: yearly cost against the share of the population within the access minutes,
  one point per run with a plan; the efficient runs (no other run is both cheaper and reaches
  more people) joined in order of cost: the cost of each step of access;
* ``access_curves``: the S-curves of several runs on one chart (the share of the population
  within m minutes of a static scanner, for every m);
* ``tornado``: for a one-at-a-time sweep, how far each key moves the yearly cost from the base
  run, at its lowest and highest value, the widest bar on top.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from planner.analysis.curves import access_curve
from planner.reports.charts import (
    _STYLE,
    PLAN,
    SCANS,
    TODAY,
    WARM,
    Chart,
    _figure,
    _pounds,
    access_axes,
)

#: At most this many runs' S-curves on one chart (evenly chosen along the sweep's order).
MAX_CURVES = 8
_WITH_PLAN = ("optimal", "feasible")


def efficient(results: pd.DataFrame) -> pd.Series:
    """Whether each run is on the cost-access frontier: no run with a plan is at most as
    costly and reaches at least as many, better in one of the two."""
    ok = results["status"].isin(_WITH_PLAN)
    cost = results["yearly_cost"].astype(float).to_numpy()
    share = results["share_within_access"].astype(float).to_numpy()
    flags = np.zeros(len(results), bool)
    for i in np.flatnonzero(ok):
        others = ok.to_numpy() & (cost <= cost[i]) & (share >= share[i])
        others &= (cost < cost[i]) | (share > share[i])
        flags[i] = not others.any()
    return pd.Series(flags, index=results.index)


def frontier_chart(results: pd.DataFrame, labels: list[str]) -> Figure | None:
    """Yearly cost against the share within the access minutes (module docstring)."""
    ok = results["status"].isin(_WITH_PLAN)
    if not ok.any():
        return None
    on = efficient(results)
    fig = _figure(8, 4.8)
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        cost = results["yearly_cost"].astype(float)
        share = results["share_within_access"].astype(float)
        ax.scatter(cost[ok & ~on], share[ok & ~on], color=SCANS, s=28, label="other runs")
        front = results[on].sort_values("yearly_cost")
        ax.plot(
            front["yearly_cost"].astype(float),
            front["share_within_access"].astype(float),
            color=PLAN,
            marker="o",
            lw=1.8,
            label="frontier: no run both cheaper and reaching more people",
        )
        if len(results) <= 24:
            for i in np.flatnonzero(on.to_numpy()):
                ax.annotate(
                    labels[i], (cost.iloc[i], share.iloc[i]), fontsize=6.5, color=TODAY,
                    xytext=(4, 3), textcoords="offset points",
                )  # fmt: skip
        minutes = results["access_minutes"].dropna()
        shown = f"{minutes.iloc[0]:g} min" if len(minutes) else "the access minutes"
        ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=2))
        ax.set_xlabel("Yearly cost (the model's objective)")
        ax.set_ylabel(f"Share of the population within {shown} of a static scanner")
        ax.set_title("Cost against access, one point per run")
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig


def curves_chart(folder: Path, results: pd.DataFrame, labels: list[str]) -> Figure | None:
    """The S-curves of up to :data:`MAX_CURVES` runs with a plan, read from their folders."""
    ok = np.flatnonzero(results["status"].isin(_WITH_PLAN).to_numpy())
    if ok.size == 0:
        return None
    chosen = ok[
        np.unique(np.linspace(0, ok.size - 1, min(MAX_CURVES, ok.size)).round().astype(int))
    ]
    fig = _figure(8, 4.8)
    colours = matplotlib.colormaps["viridis"](np.linspace(0, 0.9, chosen.size))
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        top = 0.0
        for colour, i in zip(colours, chosen, strict=True):
            run = folder / str(results["run_folder"].iloc[i])
            demand = pd.read_csv(run / "demand.csv")
            assignments = pd.read_csv(run / "assignments.csv")
            curve = access_curve(demand.drop(columns="today_static_minutes", errors="ignore"),
                                 assignments)  # fmt: skip
            ax.plot(curve["minutes"], curve["plan"], color=colour, lw=1.6, label=labels[i])
            top = max(top, float(curve["minutes"].iloc[-1]))
        minutes = results["access_minutes"].dropna()
        if len(minutes):
            ax.axvline(float(minutes.iloc[0]), color="#AEB7BD", lw=1, zorder=0)
        access_axes(
            ax,
            top,
            ylabel="Share of the population",
            title="Population within each travel time of a static scanner, by run",
            legend_size=7,
        )
    return fig


def tornado_table(results: pd.DataFrame, moved: list[str | None], keys: list[str]) -> pd.DataFrame:
    """Per key of a one-at-a-time sweep: the base cost, the lowest and highest cost of a run
    moving it, and the values giving them; widest swing first."""
    base = results[np.array([m is None for m in moved])]
    if base.empty or base["status"].iloc[0] not in _WITH_PLAN:
        return pd.DataFrame()
    base_cost = float(base["yearly_cost"].iloc[0])
    rows = []
    for key in keys:
        runs = results[np.array([m == key for m in moved]) & results["status"].isin(_WITH_PLAN)]
        if runs.empty:
            continue
        cost = runs["yearly_cost"].astype(float)
        low, high = cost.idxmin(), cost.idxmax()
        rows.append(
            {
                "key": key,
                "base_cost": base_cost,
                "low_cost": min(float(cost.min()), base_cost),
                "low_value": runs.loc[low, key],
                "high_cost": max(float(cost.max()), base_cost),
                "high_value": runs.loc[high, key],
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["swing"] = table["high_cost"] - table["low_cost"]
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def tornado_chart(table: pd.DataFrame) -> Figure | None:
    """The tornado of :func:`tornado_table`: bars from the base cost, widest on top."""
    if table.empty:
        return None
    fig = _figure(8, 1.2 + 0.5 * len(table))
    with matplotlib.rc_context(_STYLE):
        ax = fig.add_subplot()
        base = float(table["base_cost"].iloc[0])
        rows = np.arange(len(table))[::-1]
        ax.barh(rows, table["low_cost"] - base, left=base, color=PLAN, label="lower cost")
        ax.barh(rows, table["high_cost"] - base, left=base, color=WARM, label="higher cost")
        for r, (_, row) in zip(rows, table.iterrows(), strict=True):
            ax.annotate(f"{row['low_value']}", (row["low_cost"], r), ha="right", va="center",
                        fontsize=7, xytext=(-3, 0), textcoords="offset points")  # fmt: skip
            ax.annotate(f"{row['high_value']}", (row["high_cost"], r), ha="left", va="center",
                        fontsize=7, xytext=(3, 0), textcoords="offset points")  # fmt: skip
        ax.axvline(base, color=TODAY, lw=1)
        ax.set_yticks(rows, table["key"].tolist())
        ax.xaxis.set_major_formatter(FuncFormatter(_pounds))
        ax.set_xlabel("Yearly cost; the line is the base scenario's")
        ax.set_title("What moves the yearly cost most (each key alone)")
        ax.legend(loc="lower right", frameon=False, fontsize=8)
    return fig


def short_labels(points) -> list[str]:
    """A run's values without their keys (``0.05 / 3``), for labels on a chart."""
    return [" / ".join(_value(v) for _, v in p.values) for p in points]


def _value(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def sweep_charts(
    folder: Path, results: pd.DataFrame, labels: list[str], tornado: pd.DataFrame
) -> list[Chart]:
    """Every sweep chart with something to show."""
    charts = []
    for name, title, figure in (
        ("frontier", "Cost against access", frontier_chart(results, labels)),
        ("access_curves", "Access S-curves by run", curves_chart(folder, results, labels)),
        ("tornado", "Sensitivity of the yearly cost (one at a time)", tornado_chart(tornado)),
    ):
        if figure is not None:
            charts.append(Chart(name, title, figure))
    return charts
