"""Comparison of two plans as a report: ``comparison.md`` and ``comparison_sites.csv``.

``planner compare PLAN_A PLAN_B`` prints :func:`comparison_markdown` and saves both files with
:func:`write_comparison`; the tables themselves come from :mod:`planner.analysis.compare`, the
warning that the plans rest on different data from :mod:`planner.reports.data_check`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from planner.analysis.compare import measures, site_changes
from planner.files import write_file, write_text
from planner.plan import Plan
from planner.plan_files.cells import write_csv
from planner.reports.report import md_table, md_text


def comparison_markdown(
    a: Plan,
    b: Plan,
    labels: tuple[str, str] = ("A", "B"),
    warnings: Sequence[str] = (),
) -> str:
    """The headline figures of two plans side by side, and the sites that changed, in Markdown.

    Parameters
    ----------
    a, b
        The two plans.
    labels
        Short names for the plans, used in the heading and column names (escaped here).
    warnings
        What differs between the plans' data (:func:`planner.reports.data_check.data_warnings`),
        said under the titles, before any figure.

    Returns
    -------
    str
        A Markdown document: both plans' titles, the data warnings, the table of
        :func:`measures`, counts of sites opened, closed, resized and unchanged in B, and a
        table of the sites that changed.
    """
    m = measures(a, b).rename(
        columns={"A": labels[0], "B": labels[1], "B - A": f"{labels[1]} - {labels[0]}"}
    )
    changes = site_changes(a, b, labels)
    counts = changes["change"].value_counts()
    opened, closed = (f"{verb} in {labels[1]}" for verb in ("opened", "closed"))
    lines = [
        f"# {md_text(labels[0])} vs {md_text(labels[1])}",
        "",
        f"- {md_text(labels[0])}: {md_text(a.title)}",
        f"- {md_text(labels[1])}: {md_text(b.title)}",
        "",
        *_warning_lines(warnings),
        md_table(m),
        "",
        f"Sites: {counts.get(opened, 0)} opened, {counts.get(closed, 0)} closed, "
        f"{counts.get('resized', 0)} resized, {counts.get('same', 0)} unchanged in "
        f"{md_text(labels[1])}.",
        "",
    ]
    moved = changes[changes["change"] != "same"]
    if not moved.empty:
        lines += [
            md_table(
                moved[
                    ["name", "change", "scanners_a", "scanners_b", "mobile_days_a", "mobile_days_b"]
                ].rename(
                    columns={
                        "scanners_a": f"scanners {labels[0]}",
                        "scanners_b": f"scanners {labels[1]}",
                        "mobile_days_a": f"mobile days {labels[0]}",
                        "mobile_days_b": f"mobile days {labels[1]}",
                    }
                )
            ),
            "",
        ]
    return "\n".join(lines)


def _warning_lines(warnings: Sequence[str]) -> list[str]:
    if not warnings:
        return []
    return [
        "**Warning: the two plans do not rest on the same data**, so their differences are not "
        "only the scenarios' choices:",
        "",
        *(f"- {md_text(w)}" for w in warnings),
        "",
    ]


def write_comparison(
    a: Plan,
    b: Plan,
    folder: str | os.PathLike,
    labels: tuple[str, str] = ("A", "B"),
    warnings: Sequence[str] = (),
) -> tuple[Path, Path]:
    """Write ``comparison.md`` (with the data ``warnings``) and ``comparison_sites.csv`` into
    ``folder``."""
    folder = Path(folder)
    md = write_text(folder / "comparison.md", comparison_markdown(a, b, labels, warnings))
    changes = site_changes(a, b, labels)
    csv = write_file(folder / "comparison_sites.csv", lambda tmp: write_csv(changes, tmp))
    return md, csv
