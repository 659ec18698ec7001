"""Board reports (Markdown, workbook) and comparison files, checked against the plans' tables."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.cli import main
from planner.plan import Plan
from planner.reports.report import markdown_report, status_sentence, write_report


def test_status_sentence_never_calls_a_stopped_run_optimal():
    assert status_sentence({"status": "optimal", "mip_gap": 0.0}).startswith("Optimal")
    text = status_sentence({"status": "feasible", "mip_gap": 0.0123})
    assert "not proven optimal" in text and "1.23%" in text


def test_report_files_hold_the_plan(two_plans, tmp_path):
    plan = Plan.load(two_plans[1])
    md, xlsx, page = write_report(plan, tmp_path)
    text = md.read_text()
    assert "Site A" in text and "Site B" in text and "Optimal" in text
    assert "Site A" in page.read_text()
    sheets = pd.read_excel(xlsx, sheet_name=None)
    assert {"Summary", "Regions", "Sites", "Assignments"} <= set(sheets)
    assert len(sheets["Sites"]) == len(plan.sites)
    assert len(sheets["Assignments"]) == len(plan.assignments)
    scans = sheets["Assignments"]["Scans a year"]
    assert scans.sum() == pytest.approx(plan.assignments["scans"].sum())
    assert markdown_report(plan).count("| Site ") == int(plan.sites["open"].sum())


def test_cli_report_and_compare(two_plans, tmp_path, capsys):
    assert main(["report", str(two_plans[0]), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "report.md").is_file() and (tmp_path / "report.xlsx").is_file()
    assert (tmp_path / "report.html").is_file() and (tmp_path / "charts").is_dir()
    assert main(["compare", str(two_plans[0]), str(two_plans[1]), "--out", str(tmp_path)]) == 0
    assert "opened" in capsys.readouterr().out
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "missing: does not exist: expected a plan folder" in capsys.readouterr().err


HOSTILE = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


def hostile_plan(two_plans) -> Plan:
    plan = Plan.load(two_plans[1])
    plan.sites.loc[0, "name"] = HOSTILE + "\n| injected | row |"
    plan.sites.loc[1, "name"] = FORMULA
    plan.summary["title"] = "# Title [link](javascript:alert(1)) " + HOSTILE
    return plan


def test_markdown_shows_data_as_text(two_plans):

    text = markdown_report(hostile_plan(two_plans))
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\n| injected" not in text  # the newline in the name did not start a new row
    assert "[link](javascript" not in text


def test_workbook_keeps_formulas_as_text(two_plans, tmp_path):
    from openpyxl import load_workbook

    _, xlsx, _ = write_report(hostile_plan(two_plans), tmp_path)
    sheet = load_workbook(xlsx)["Sites"]
    names = [c.value for c in next(sheet.iter_cols(min_col=2, max_col=2, min_row=2))]
    cells = [c for c in next(sheet.iter_cols(min_col=2, max_col=2, min_row=2))]
    assert "'" + FORMULA in names
    assert all(c.data_type == "s" for c in cells)


def test_comparison_files_escape_titles_and_labels(two_plans, tmp_path):
    from planner.reports.comparison import write_comparison

    a, b = Plan.load(two_plans[0]), hostile_plan(two_plans)
    md, csv = write_comparison(a, b, tmp_path, labels=("<b>old</b>", "new"))
    text = md.read_text()
    assert "<b>" not in text and "&lt;b&gt;old&lt;/b&gt;" in text and "<img" not in text
    assert pd.read_csv(csv)["site_id"].notna().all()


def _icb_areas() -> pd.DataFrame:
    """Three ICB rows (and a region row) as area_table writes them, in no particular order."""
    rows = [
        ("region", "E12000008", "South East", 9_278_400, 0.97, 0.99, 21.0),
        ("icb", "E54000034", "NHS Frimley Integrated Care Board", 800_000, 0.99, 1.0, 18.0),
        ("icb", "E54000044", HOSTILE + " Integrated Care Board", 1_900_000, 0.91, 0.95, 34.5),
        ("icb", "E54000032", "NHS Kent and Medway ICB", 1_900_000, 0.95, 0.97, 27.0),
    ]
    table = pd.DataFrame(
        rows,
        columns=[
            "level", "code", "name", "population", "share_within_access",
            "share_within_60", "mean_minutes",
        ],
    )  # fmt: skip
    table["scans"] = table["population"] * 0.004
    table["assigned_scans"] = table["scans"]
    table["unmet_scans"] = 0.0
    table["access_minutes"] = 45.0
    return table


def test_icb_section_lists_the_least_served_first_as_text(two_plans, tmp_path):
    plan = Plan.load(two_plans[1])
    plan.areas = _icb_areas()
    text = markdown_report(plan)
    section = text.split("## Integrated Care Boards", 1)[1].split("\n## ", 1)[0]
    assert "The 3 ICBs" in section and "within 45 minutes" in section
    order = [section.index(s) for s in ("&lt;img", "NHS Kent and Medway", "NHS Frimley")]
    assert order == sorted(order)  # 91%, 95%, 99%
    assert "91.0%" in section and "34.5" in section and "<img" not in section
    _, xlsx, page = write_report(plan, tmp_path)
    icbs = pd.read_excel(xlsx, sheet_name="ICBs")
    assert icbs["Code"].tolist() == ["E54000044", "E54000032", "E54000034"]  # least served first
    assert icbs["Population within 45 min"].tolist() == [0.91, 0.95, 0.99]
    assert "<img src=x" not in page.read_text()


def test_no_icb_section_without_icb_figures(two_plans):
    plan = Plan.load(two_plans[1])
    plan.areas = _icb_areas().iloc[:1]
    assert "## Integrated Care Boards" not in markdown_report(plan)
