"""``report.xlsx``: the plan as a workbook a board can open, with Excel's own charts.

Every sheet has readable headings ("Scans a year assigned", not ``assigned_scans``), its
numbers in their formats (pounds, percentages, minutes, whole counts; :mod:`.columns`), columns
wide enough to read and its heading row frozen. The summary sheet lists the headline figures
in words (:mod:`.summary_rows`). Charts are native Excel charts (:mod:`openpyxl.chart`) drawn
from the cells beside them, so they follow any edit a planner makes to the figures:

========================  ==========================================================
sheet                     chart
========================  ==========================================================
Access curve              population within each travel time, plan and today (lines)
ICBs                      share within the access time by ICB (bars)
Equity                    access and mean travel by deprivation decile (bars)
Utilisation               utilisation of each open site (bars)
Costs                     yearly cost by item (bars)
Phasing by year           sites, static scanners, mobile days by year (bars)
========================  ==========================================================

The full tables follow (regions, sites, hubs, suppliers, phasing, resilience, assignments).
Text from the data that a spreadsheet would run as a formula is stored as text (see
:data:`planner.plan_files.cells.FORMULA_START`).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.analysis.curves import access_curve
from planner.plan import Plan
from planner.plan_files.cells import neutralise
from planner.reports.columns import KINDS, heading, kind_of
from planner.reports.summary_rows import cost_label, headline_figures

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="005EB8")
_MIN_WIDTH, _MAX_WIDTH = 9, 60


def _cell_value(value, yes_no: bool):
    """A value as openpyxl should store it: no NaN, no numpy types, formulas kept as text."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if yes_no and isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, str):
        return neutralise(value)
    return value.item() if isinstance(value, np.generic) else value


def write_table(
    sheet: Worksheet,
    frame: pd.DataFrame,
    headings: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
) -> None:
    """Write ``frame`` under readable headings, each column in its number format.

    Parameters
    ----------
    sheet
        An empty sheet.
    frame
        The table; its column names are looked up in :data:`planner.reports.columns.COLUMNS`.
    headings, formats
        Headings and Excel number formats that replace the looked-up ones, by column.
    """
    headings, formats = headings or {}, formats or {}
    sheet.append([headings.get(c, heading(c)) for c in frame.columns])
    kinds = {c: kind_of(c, frame[c]) for c in frame.columns}
    yes_no = [kinds[c] is KINDS["yes_no"] for c in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v, flag) for v, flag in zip(row, yes_no, strict=True)])
    for i, column in enumerate(frame.columns, start=1):
        number_format = formats.get(column, kinds[column].excel)
        if number_format != "General":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = number_format
    _dress(sheet, frame, headings)


def _dress(sheet: Worksheet, frame: pd.DataFrame, headings: dict[str, str]) -> None:
    """Bold, coloured, wrapped heading row, frozen; columns as wide as their contents."""
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sample = frame.head(500)
    for i, column in enumerate(frame.columns, start=1):
        kind = kind_of(column, frame[column])
        values = [len(kind.show(v)) for v in sample[column].tolist()]
        title = headings.get(column, heading(column))
        width = max([min(len(title), 24), *values], default=_MIN_WIDTH) + 2
        sheet.column_dimensions[get_column_letter(i)].width = min(
            max(width, _MIN_WIDTH), _MAX_WIDTH
        )


def _summary_sheet(sheet: Worksheet, plan: Plan) -> None:
    sheet.append(["Figure", "Value"])
    for figure in headline_figures(plan.summary):
        sheet.append([figure.label, _cell_value(figure.value, figure.kind is KINDS["yes_no"])])
        if isinstance(figure.value, int | float) and not isinstance(figure.value, bool):
            sheet.cell(sheet.max_row, 2).number_format = figure.kind.excel
        sheet.cell(sheet.max_row, 2).alignment = Alignment(horizontal="left")
    for cell in sheet[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 58
    sheet.column_dimensions["B"].width = 60


def _bar_chart(
    sheet: Worksheet,
    title: str,
    columns: range,
    rows: int,
    number_format: str,
    *,
    horizontal: bool = True,
) -> BarChart:
    """Bars of ``columns`` (headings in row 1) over the categories in column A."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.style = 10
    for column in columns:
        chart.add_data(
            Reference(sheet, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.y_axis.number_format = number_format
    chart.y_axis.majorGridlines = None
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes otherwise
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # the first row at the top, as in the sheet
        chart.height = max(7.5, 1.5 + 0.5 * rows)
    chart.width = 22
    if len(columns) == 1:
        chart.legend = None
    return chart


def _curve_sheet(sheet: Worksheet, plan: Plan) -> None:
    curve = access_curve(plan.demand, plan.assignments)
    names = {
        "minutes": "Travel time (min)",
        "plan": "This plan: population within",
        "today": "Today's network: population within",
        "scans": "This plan: scans a year travelling at most this",
    }
    share = KINDS["share"].excel
    write_table(sheet, curve, names, {c: share for c in names if c != "minutes"})
    sheet.column_dimensions["A"].width = 12
    chart = ScatterChart()
    chart.title = "Population within each travel time of a static scanner"
    chart.style = 12
    rows = len(curve) + 1
    x = Reference(sheet, min_col=1, min_row=2, max_row=rows)
    for column in range(2, len(curve.columns) + 1):
        series = Series(
            Reference(sheet, min_col=column, min_row=1, max_row=rows), x, title_from_data=True
        )
        series.marker.symbol = "none"
        series.smooth = False
        chart.series.append(series)
    chart.x_axis.title = "Travel time (minutes)"
    chart.y_axis.title = "Share of the population"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0, float(curve["minutes"].max())
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.width, chart.height = 22, 11
    sheet.add_chart(chart, "F2")


def _icb_sheet(sheet: Worksheet, plan: Plan) -> None:
    icbs = plan.areas[plan.areas["level"] == "icb"].sort_values(["share_within_access", "name"])
    minutes = float(icbs["access_minutes"].iloc[0])
    table = icbs[
        ["name", "share_within_access", "share_within_60", "mean_minutes", "population",
         "scans", "unmet_scans", "code"]
    ]  # fmt: skip
    write_table(
        sheet,
        table,
        {"name": "ICB", "share_within_access": f"Population within {minutes:g} min"},
    )
    chart = _bar_chart(
        sheet, f"Residents within {minutes:g} min of a static scanner", range(2, 3),
        len(table), "0%",
    )  # fmt: skip
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
    sheet.add_chart(chart, "J2")


def _equity_sheet(sheet: Worksheet, plan: Plan) -> None:
    table = plan.equity
    minutes = float(table["access_minutes"].iloc[0])
    write_table(
        sheet,
        table,
        {
            "share_within_access": f"Population within {minutes:g} min",
            "today_share_within_access": f"Population within {minutes:g} min today",
        },
    )
    rows = len(table)
    shares = ["share_within_access"]
    if table["today_share_within_access"].notna().any():
        shares.append("today_share_within_access")
    share_columns = [table.columns.get_loc(c) + 1 for c in shares]
    access = _bar_chart(
        sheet, f"Residents within {minutes:g} min, by IMD decile (1 = most deprived)",
        share_columns, rows, "0%", horizontal=False,
    )  # fmt: skip
    access.y_axis.scaling.min, access.y_axis.scaling.max = 0, 1
    travel_column = table.columns.get_loc("mean_minutes") + 1
    travel = _bar_chart(
        sheet, "Mean travel of the scans (min), by IMD decile", [travel_column], rows, "0",
        horizontal=False,
    )  # fmt: skip
    anchor = get_column_letter(len(table.columns) + 2)
    sheet.add_chart(access, f"{anchor}2")
    sheet.add_chart(travel, f"{anchor}20")


def _utilisation_sheet(sheet: Worksheet, open_sites: pd.DataFrame) -> None:
    table = open_sites[
        ["name", "utilisation", "assigned_scans", "capacity_scans", "fixed_scanners",
         "mobile_days", "site_id"]
    ]  # fmt: skip
    write_table(sheet, table, {"name": "Site"})
    chart = _bar_chart(sheet, "Utilisation of the open sites", range(2, 3), len(table), "0%")
    sheet.add_chart(chart, "I2")


def _costs_sheet(sheet: Worksheet, plan: Plan) -> None:
    costs = plan.summary.get("costs") or {}
    table = pd.DataFrame(
        {"item": [cost_label(k) for k in costs], "yearly_cost": list(costs.values())}
    )
    write_table(sheet, table)
    sheet.column_dimensions["A"].width = 52
    chart = _bar_chart(sheet, "Yearly cost by item (£)", range(2, 3), len(table), '"£"#,##0')
    sheet.add_chart(chart, "D2")


def _phasing_sheet(sheet: Worksheet, plan: Plan) -> None:
    by_year = pd.DataFrame(plan.summary["phasing"])
    by_year["year"] = [f"Year {int(y)}" for y in by_year["year"]]
    write_table(sheet, by_year)
    chart = _bar_chart(
        sheet, "Sites and scanners by planning year", range(2, 5), len(by_year), "0",
        horizontal=False,
    )  # fmt: skip
    sheet.add_chart(chart, "G2")


def _open_sites(plan: Plan) -> pd.DataFrame:
    """Open sites, fullest first; the sites sheet lists these first, then the rest."""
    return plan.sites[plan.sites["open"]].sort_values(
        ["utilisation", "name"], ascending=[False, True]
    )


def build_workbook(plan: Plan) -> Workbook:
    """The workbook of ``plan`` (see the module docstring for its sheets)."""
    book = Workbook()
    _summary_sheet(book.active, plan)
    book.active.title = "Summary"
    _curve_sheet(book.create_sheet("Access curve"), plan)
    if plan.areas is not None and (plan.areas["level"] == "icb").any():
        _icb_sheet(book.create_sheet("ICBs"), plan)
    if plan.equity is not None and not plan.equity.empty:
        _equity_sheet(book.create_sheet("Equity"), plan)
    open_sites = _open_sites(plan)
    if not open_sites.empty:
        _utilisation_sheet(book.create_sheet("Utilisation"), open_sites)
    if plan.summary.get("costs"):
        _costs_sheet(book.create_sheet("Costs"), plan)
    if plan.summary.get("phasing"):
        _phasing_sheet(book.create_sheet("Phasing by year"), plan)
    sites = pd.concat([open_sites, plan.sites[~plan.sites["open"]]])
    tables = {
        "Regions": plan.regions,
        "Sites": sites,
        "Hubs": plan.hubs,
        "Suppliers": plan.suppliers,
        "Phasing": plan.phasing,
        "Resilience": plan.resilience,
        "Assignments": plan.assignments,
    }
    for title, table in tables.items():
        if table is not None:
            write_table(book.create_sheet(title), table)
    return book


def write_workbook(plan: Plan, path: str | os.PathLike) -> None:
    """Write the workbook of ``plan`` to ``path`` (see :func:`build_workbook`)."""
    build_workbook(plan).save(path)
