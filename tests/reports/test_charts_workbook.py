"""Charts (matplotlib figures, PNG files) and report.xlsx (native charts, formats, headings).

The S-curve is checked against a brute force over a solved random instance; the workbook is
opened with openpyxl and its charts, number formats, headings and figures are checked against
the plan it was written from.
"""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from planner.analysis.curves import access_curve
from planner.cli import main
from planner.network import NetworkModel
from planner.plan import Plan
from planner.reports import charts
from tests.helpers.cases import make_instance, scenario
from tests.helpers.equity_case import write_equity_case

MONEY, SHARE = '"£"#,##0', "0.0%"


@pytest.fixture(scope="module")
def random_plan():
    """Forty random zones and eight sites (site 0 existing with one scanner), capacity tight
    enough that some zones are split between sites."""
    zones, sites, travel = make_instance(3, n_zones=40, n_sites=8)
    sc = scenario(
        capacity={"fixed_scans_per_year": 5000, "max_scanners_per_site": 3},
        access={"share": 0.6, "minutes": 60},
    )
    plan = NetworkModel.from_tables(zones, sites, travel, sc).solve()
    return plan, travel, sites


def test_access_curve_equals_a_brute_force_over_the_travel_matrix(random_plan):
    plan, travel, sites = random_plan
    dense = np.full((len(plan.demand), len(sites)), np.inf)
    dense[travel.origin, travel.destination] = travel.minutes
    static = plan.sites["fixed_scanners"].to_numpy() > 0
    today = sites["existing_scanners"].to_numpy() > 0
    population = plan.demand["population"].to_numpy()
    curve = access_curve(plan.demand, plan.assignments)
    assert len(plan.assignments) > plan.assignments["demand_id"].nunique()  # zones are split
    for row in curve.itertuples():
        m = row.minutes
        within_plan = population[dense[:, static].min(axis=1) <= m].sum()
        within_today = population[dense[:, today].min(axis=1) <= m].sum()
        sent = sum(a.scans for a in plan.assignments.itertuples() if a.minutes <= m)
        assert row.plan == pytest.approx(within_plan / population.sum())
        assert row.today == pytest.approx(within_today / population.sum())
        assert row.scans == pytest.approx(sent / plan.demand["scans"].sum())
    assert (np.diff(curve["plan"]) >= 0).all() and curve["plan"].iloc[-1] <= 1.0


def test_chart_functions_return_figures_a_notebook_shows(random_plan):
    plan, _, _ = random_plan
    assert isinstance(charts.access_curve_chart(plan), Figure)
    assert isinstance(charts.utilisation_chart(plan), Figure)
    assert isinstance(charts.cost_chart(plan), Figure)
    # Nothing to draw: no phasing, no ICB codes, no deciles in this instance.
    assert charts.phasing_chart(plan) is None
    assert charts.icb_access_chart(plan) is None and charts.equity_chart(plan) is None
    names = [c.name for c in charts.plan_charts(plan)]
    assert names == ["access_curve", "utilisation", "costs"]


def test_names_with_dollar_signs_are_drawn_as_typed(random_plan):
    plan, _, _ = random_plan
    plan = Plan(**{**plan.__dict__, "sites": plan.sites.copy()})
    # Mathtext would fail on this name (an unfinished \frac); as plain text it draws.
    plan.sites.loc[plan.sites["open"].idxmax(), "name"] = r"Site $\frac{$ 5"
    png = charts.png_bytes(charts.utilisation_chart(plan))
    assert png.startswith(b"\x89PNG") and len(png) > 5_000


@pytest.fixture(scope="module")
def phased_run(tmp_path_factory):
    """The deprivation case (ICBs, deciles, costs) planned over two years with growth."""
    folder = tmp_path_factory.mktemp("phased")
    extra = "[phasing]\nenabled = true\nyears = [1, 2]\n"
    scenario_file = write_equity_case(folder / "case", extra)
    text = scenario_file.read_text().replace("annual_growth = 0.0", "annual_growth = 0.1")
    scenario_file.write_text(text)
    out = folder / "run"
    assert main(["run", str(scenario_file), "--out", str(out), "--no-map"]) == 0
    return out


def test_run_folder_has_every_chart_as_png_and_the_report_links_them(phased_run):
    expected = ["access_curve", "icb_access", "equity", "utilisation", "costs", "phasing"]
    assert sorted(p.stem for p in (phased_run / "charts").iterdir()) == sorted(expected)
    text = (phased_run / "report.md").read_text()
    for name in expected:
        png = (phased_run / "charts" / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG")
        assert f"](charts/{name}.png)" in text


def test_workbook_has_native_charts_beside_their_data(phased_run):
    book = load_workbook(phased_run / "report.xlsx")
    assert book.sheetnames == [
        "Summary", "Access curve", "ICBs", "Equity", "Utilisation", "Costs", "Phasing by year",
        "Regions", "Sites", "Phasing", "Assignments",
    ]  # fmt: skip
    found = {name: [type(c).__name__ for c in book[name]._charts] for name in book.sheetnames}
    assert {k: v for k, v in found.items() if v} == {
        "Access curve": ["ScatterChart"],
        "ICBs": ["BarChart"],
        "Equity": ["BarChart", "BarChart"],
        "Utilisation": ["BarChart"],
        "Costs": ["BarChart"],
        "Phasing by year": ["BarChart"],
    }
    curve = book["Access curve"]._charts[0]
    assert len(curve.series) == 3  # this plan, today's network, scans
    assert book["Utilisation"]._charts[0].type == "bar"
    phasing = book["Phasing by year"]
    assert [c.value for c in phasing["A"][1:]] == ["Year 1", "Year 2"]
    assert len(book["Phasing by year"]._charts[0].series) == 3


def test_workbook_formats_money_and_shares(phased_run):
    plan = Plan.load(phased_run)
    book = load_workbook(phased_run / "report.xlsx")
    costs = book["Costs"]
    assert [c.value for c in costs[1]] == ["Item", "Yearly cost (£)"]
    values = [r[1] for r in costs.iter_rows(min_row=2, values_only=True)]
    assert values == pytest.approx(list(plan.summary["costs"].values()))
    assert all(c.number_format == MONEY for c in costs["B"][1:])
    util = book["Utilisation"]
    assert [c.value for c in util[1]][:2] == ["Site", "Utilisation"]
    assert all(c.number_format == SHARE for c in util["B"][1:])
    open_sites = plan.sites[plan.sites["open"]].set_index("name")["utilisation"]
    for name, share in util.iter_rows(min_row=2, max_col=2, values_only=True):
        assert share == pytest.approx(open_sites[name if name[0] != "'" else name[1:]])
    sites = book["Sites"]
    header = [c.value for c in sites[1]]
    column = header.index("Utilisation") + 1
    assert sites.cell(2, column).number_format == SHARE
    assert sites.cell(2, header.index("Capacity (scans a year)") + 1).number_format == "#,##0"


def test_every_sheet_has_readable_headings_widths_and_a_frozen_header(phased_run):
    book = load_workbook(phased_run / "report.xlsx")
    for sheet in book.worksheets:
        headings = [c.value for c in sheet[1]]
        assert all("_" not in str(h) for h in headings), (sheet.title, headings)
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.column_dimensions["A"].width >= 9, sheet.title


def test_summary_sheet_speaks_plainly(phased_run):
    plan = Plan.load(phased_run)
    sheet = load_workbook(phased_run / "report.xlsx")["Summary"]
    rows = {r[0].value: r[1] for r in sheet.iter_rows(min_row=2)}
    labels = list(rows)
    assert not any("_" in label or label.startswith("costs.") for label in labels), labels
    gap = rows["Gap to the best possible plan"]
    assert gap.value == pytest.approx(plan.summary["mip_gap"]) and gap.number_format == "0.00%"
    cost = rows["Yearly cost, excluding patients' travel (£)"]
    assert cost.value == pytest.approx(plan.summary["annual_cost"]) and cost.number_format == MONEY
    travel = rows["Yearly cost: patients' travel (£)"]
    assert travel.value == pytest.approx(plan.summary["costs"]["travel"])
    share = rows["Population within 60 min of a static scanner"]
    assert share.value == pytest.approx(0.9) and share.number_format == SHARE
    assert rows["Access target met"].value == "yes"
    assert rows["Static scanners"].value == plan.summary["scanners_fixed"]
