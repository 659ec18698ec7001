"""A plan's headline figures in plain words: the workbook's summary sheet and report.html.

``summary.json`` keeps the machine names (``mip_gap``, ``costs.travel``); a board reads "Gap to
the best possible plan" and "Yearly cost: patients' travel (£)". Each known figure has its label
and kind (:mod:`planner.reports.columns`); figures this list does not know (an extension's, a
later release's) follow under their names in words, so nothing the plan says is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.reports.columns import KINDS, Kind, heading

#: ``summary["costs"]`` item -> what it is (:func:`planner.network.context.unit_costs`).
COST_LABELS = {
    "scanners": "static scanners (annualised capital + operating)",
    "new_static_sites": "installing new static sites (annualised)",
    "open_sites": "running open sites",
    "mobile_days": "mobile-unit days",
    "mobile_units": "mobile units (annualised capital)",
    "travel": "patients' travel",
    "unmet_penalty": "penalty on unmet demand",
}


def cost_label(item: str) -> str:
    """What a ``summary["costs"]`` item is, as a label starting with a capital."""
    label = COST_LABELS.get(item, heading(item).lower())
    return label[:1].upper() + label[1:]


#: (key, label, kind) of the headline figures, in the order shown; ``None`` marks where the
#: shares within each reported time and the cost items go.
_FIGURES: list[tuple[str, str, str] | None] = [
    ("scenario", "Scenario", "text"),
    ("title", "Title", "text"),
    ("status", "Solver status", "text"),
    ("mip_gap", "Gap to the best possible plan", "gap"),
    ("time_limit_reached", "Solver stopped by its time limit", "yes_no"),
    ("plan_year", "Planning year shown", "whole"),
    ("sites_open", "Sites open", "whole"),
    ("sites_static", "Sites with a static scanner", "whole"),
    ("sites_mobile_only", "Sites served by mobile units only", "whole"),
    ("new_sites", "New sites", "whole"),
    ("scanners_fixed", "Static scanners", "whole"),
    ("mobile_days_per_week", "Mobile-unit days a week", "whole"),
    ("mobile_units", "Mobile units", "whole"),
    ("population", "Population", "count"),
    ("demand_scans", "Demand (scans a year)", "count"),
    ("assigned_scans", "Scans a year assigned to a site", "count"),
    ("unmet_scans", "Unmet demand (scans a year)", "count"),
    ("capacity_scans", "Capacity (scans a year)", "count"),
    ("mean_utilisation", "Mean scanner utilisation", "share"),
    ("mean_travel_minutes", "Mean travel (min)", "minutes"),
    ("median_travel_minutes", "Median travel (min)", "minutes"),
    ("p95_travel_minutes", "95th percentile travel (min)", "minutes"),
    None,  # shares within each reported time
    ("access_target_minutes", "Access target: travel time (min)", "minutes"),
    ("access_target_share", "Access target: share of the population", "share"),
    ("access_share", "Population within the access target's time", "share"),
    ("access_target_met", "Access target met", "yes_no"),
    ("backup_minutes", "Backup: second static scanner within (min)", "minutes"),
    ("backup_target_share", "Backup target: share of the population", "share"),
    ("backup_share", "Population with a second static scanner within reach", "share"),
    ("hubs_open", "Training hubs open", "whole"),
    ("hub_trainee_load", "Trainee places used", "count"),
    ("tracer_delivery_minutes", "FDG delivery limit (min)", "minutes"),
    ("n_minus_1_worst_site", "N-1: the site whose loss hurts most", "text"),
    ("n_minus_1_unabsorbed_scans", "N-1: scans a year no other site could take", "count"),
    ("annual_cost", "Yearly cost, excluding patients' travel (£)", "money"),
    None,  # cost items
    ("objective", "Solver's objective (£)", "money"),
    ("best_bound", "Solver's best bound (£)", "money"),
    ("objective_scope", "Objective covers", "text"),
    ("solver", "Solver", "text"),
    ("solver_message", "Solver's report", "text"),
    ("solve_seconds", "Solve time (s)", "seconds"),
    ("build_seconds", "Model build time (s)", "seconds"),
    ("travel_source", "Travel times", "text"),
    ("planner_version", "planner version", "text"),
]


@dataclass(frozen=True)
class Headline:
    """One headline figure: its label, its value and how the value is shown."""

    label: str
    value: object
    kind: Kind

    @property
    def text(self) -> str:
        return self.kind.show(self.value)


def _guess(value) -> Kind:
    if isinstance(value, bool):
        return KINDS["yes_no"]
    if isinstance(value, int):
        return KINDS["count"]
    if isinstance(value, float):
        return KINDS["number"]
    return KINDS["text"]


def headline_figures(summary: dict) -> list[Headline]:
    """Every scalar figure of a plan's summary, labelled (see the module docstring).

    Nested figures are flattened where a board reads them (shares within each time, cost
    items); the solver's round-by-round log, the model's size and the phasing list are left to
    ``summary.json`` and the phasing sheet.
    """
    figures: list[Headline] = []
    known: set[str] = {"share_within_minutes", "costs"}
    sections = iter(
        [
            [
                Headline(f"Population within {k} min of a static scanner", v, KINDS["share"])
                for k, v in (summary.get("share_within_minutes") or {}).items()
            ],
            [
                Headline(
                    f"Yearly cost: {COST_LABELS.get(k, heading(k).lower())} (£)", v, KINDS["money"]
                )
                for k, v in (summary.get("costs") or {}).items()
            ],
        ]
    )
    for entry in _FIGURES:
        if entry is None:
            figures.extend(next(sections))
            continue
        key, label, kind = entry
        known.add(key)
        if key in summary and summary[key] is not None:
            figures.append(Headline(label, summary[key], KINDS[kind]))
    for key, value in summary.items():
        if key not in known and value is not None and not isinstance(value, dict | list):
            figures.append(Headline(heading(key), value, _guess(value)))
    return figures


def status_sentence(summary: dict) -> str:
    """Solver status in words a board can read, never calling a time-limited plan optimal."""
    status, gap = summary.get("status"), summary.get("mip_gap")
    if status == "optimal":
        within = f" (within {gap:.2%} of the best possible)" if gap else ""
        return f"Optimal: the solver proved no cheaper plan exists{within}."
    if status == "feasible":
        gap_text = f"at most {gap:.2%}" if gap is not None else "an unknown amount"
        return (
            "Feasible, not proven optimal: the solver stopped at its time limit; a cheaper plan "
            f"may exist, by {gap_text}."
        )
    return f"Status: {status}."
