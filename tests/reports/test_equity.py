"""Access and travel by deprivation decile, and the access S-curve, against figures worked by hand.

The case (:mod:`tests.helpers.equity_case`) is a planner's own demand file with IMD deciles,
solved by ``planner run`` end to end; its equity table, as saved and as each report shows it,
must equal the hand-worked figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from planner.analysis.curves import access_curve
from planner.cli import main
from planner.plan import Plan
from tests.helpers.equity_case import (
    EQUITY,
    HOSTILE_SITE,
    MINUTES,
    NEAREST_PLAN,
    NEAREST_TODAY,
    POPULATION,
    write_equity_case,
)


@pytest.fixture(scope="module")
def equity_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("equity")
    scenario = write_equity_case(folder / "case")
    out = folder / "run"
    assert main(["run", str(scenario), "--out", str(out)]) == 0
    return out


def test_the_plan_is_the_one_worked_by_hand(equity_run):
    plan = Plan.load(equity_run)
    opened = plan.sites[plan.sites["open"]].set_index("site_id")["fixed_scanners"].to_dict()
    assert opened == {"A": 1, "C": 1, "D": 1}
    demand = plan.demand.set_index("demand_id")
    assert demand["nearest_static_minutes"].to_dict() == NEAREST_PLAN
    assert demand["today_static_minutes"].to_dict() == NEAREST_TODAY
    assert demand["imd_decile"].to_dict() == {
        "Z1": 1, "Z2": 1, "Z3": 2, "Z4": 5, "Z5": 10, "Z6": 10,
    }  # fmt: skip


def test_equity_table_equals_the_hand_worked_figures(equity_run):
    equity = pd.read_csv(equity_run / "equity.csv")
    assert equity["imd_decile"].tolist() == list(EQUITY)
    for row in equity.itertuples():
        people, plan_share, today_share, mean = EQUITY[row.imd_decile]
        assert row.population == people
        assert row.share_within_access == pytest.approx(plan_share, abs=1e-12)
        assert row.today_share_within_access == pytest.approx(today_share, abs=1e-12)
        assert row.mean_minutes == pytest.approx(mean, abs=1e-9)
        assert row.scans == pytest.approx(people * 4000 / 1e6)


def test_every_report_shows_the_equity_table(equity_run):
    text = (equity_run / "report.md").read_text()
    section = text.split("## Access and travel by deprivation decile", 1)[1].split("\n## ", 1)[0]
    assert "| 1 | 150,000 | 600 | 0 | 31.7 | 66.7% | 66.7% |" in section
    assert "| 10 | 150,000 | 600 | 0 | 22.0 | 100.0% | 40.0% |" in section
    assert "![Access and travel by deprivation decile](charts/equity.png)" in text
    assert (equity_run / "charts" / "equity.png").stat().st_size > 5_000

    sheet = load_workbook(equity_run / "report.xlsx")["Equity"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)}
    assert rows[10]["Population within 60 min"] == pytest.approx(1.0)
    assert rows[10]["Population within 60 min today"] == pytest.approx(0.4)
    assert rows[1]["Mean travel (min)"] == pytest.approx(4_750_000 / 150_000)
    share_column = header.index("Population within 60 min") + 1
    assert sheet.cell(2, share_column).number_format == "0.0%"
    assert [type(c).__name__ for c in sheet._charts] == ["BarChart", "BarChart"]

    page = (equity_run / "report.html").read_text()
    table = page.split("Access and travel by deprivation decile</h2>", 1)[1].split("</table>")[0]
    assert '<td class="n">31.7</td>' in table and '<td class="n">40.0%</td>' in table
    assert 'id="chart-equity"' in page


def _brute_force_share(nearest: dict[str, float], minutes: float) -> float:
    within = sum(POPULATION[z] for z, t in nearest.items() if t <= minutes)
    return within / sum(POPULATION.values())


def test_access_curve_equals_a_direct_recomputation(equity_run):
    plan = Plan.load(equity_run)
    curve = access_curve(plan.demand, plan.assignments).set_index("minutes")
    # 0 to the longest reported threshold, 90 min (the longest known time is Z6's 80 today).
    assert curve.index[0] == 0 and curve.index[-1] == 90
    # Nearest static scanner of each zone recomputed from the planner's own matrix and the
    # plan's open static sites (today: the sites with a scanner in the sites file, A and C).
    static = set(plan.sites.loc[plan.sites["fixed_scanners"] > 0, "site_id"])
    plan_nearest = {z: min(t for s, t in zip("ACD", ts, strict=True) if s in static)
                    for z, ts in MINUTES.items()}  # fmt: skip
    today_nearest = {z: min(ts[:2]) for z, ts in MINUTES.items()}
    scans = plan.assignments
    for m in range(0, 91):
        assert curve.loc[m, "plan"] == pytest.approx(_brute_force_share(plan_nearest, m))
        assert curve.loc[m, "today"] == pytest.approx(_brute_force_share(today_nearest, m))
        sent = scans.loc[scans["minutes"] <= m, "scans"].sum() / plan.demand["scans"].sum()
        assert curve.loc[m, "scans"] == pytest.approx(sent)
    # By hand: within 20 minutes Z3 and Z6 (170,000 of 500,000), today Z3 and Z1 at 15.
    assert curve.loc[20, "plan"] == pytest.approx(0.54)
    assert curve.loc[20, "today"] == pytest.approx(0.36)
    assert curve.loc[60, "today"] == pytest.approx(0.72)
    for minutes, share in plan.summary["share_within_minutes"].items():
        assert curve.loc[int(minutes), "plan"] == pytest.approx(share)
    # The workbook's curve is the same data.
    sheet = load_workbook(equity_run / "report.xlsx")["Access curve"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(curve.index)
    assert np.allclose([r[1] for r in rows], curve["plan"])
    assert np.allclose([r[2] for r in rows], curve["today"])


def test_data_from_the_files_is_escaped_in_every_report(equity_run):
    page = (equity_run / "report.html").read_text()
    assert HOSTILE_SITE not in page and "<b>case</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # in the tables, as text
    assert "<title>Deprivation test &lt;b&gt;case&lt;/b&gt;</title>" in page
    text = (equity_run / "report.md").read_text()
    assert HOSTILE_SITE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
