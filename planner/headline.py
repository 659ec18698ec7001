"""A plan's headline figures in words: what ``planner run`` prints and ``report.md`` opens with.

Every figure is read from a plan's ``summary`` (:mod:`planner.plan`); a plan saved before a
figure existed simply lacks its line. The words are chosen for a board paper: each cost says
what it includes and the parts add up to the total the optimiser minimised; one-off capital
stands beside the yearly cost; today's network beside the plan's; a site or network with no
headroom, an access target missed, or demand left unmet is said plainly, whether or not the
scenario enforced it.
"""

from __future__ import annotations

import math

from planner.analysis.figures import COST_PARTS, service_cost
from planner.defaults import MIN_ACTIVITY_FRACTION


def shown(value: float | None, fmt: str) -> str:
    """``value`` in ``fmt``, or "n/a" when the plan has no such figure (None or NaN: a plan
    that assigns no scan has no travel time, and a summary may say null for any figure its
    schema lets be null)."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return "n/a" if missing else fmt.format(value)


def counted(n: float | None, noun: str, plural: str | None = None) -> str:
    """``1 mobile unit``, ``2 mobile units``, ``1,250 scans`` (``n/a scans`` when unknown)."""
    if n is None:
        return f"n/a {plural or noun + 's'}"
    n_text = f"{n:,.0f}" if isinstance(n, float) and not float(n).is_integer() else f"{int(n):,}"
    return f"{n_text} {noun if n_text == '1' else (plural or noun + 's')}"


def money(value: float | None) -> str:
    """Whole pounds, ``£1,234,567`` (``n/a`` when unknown)."""
    return shown(value, "£{:,.0f}")


def _pounds(value: float) -> str:
    """A unit cost: ``£2.5 m``, ``£597,693``, ``£0.30``."""
    if value == 0:
        return "£0"
    if value >= 1e6:
        return f"£{value / 1e6:,.1f} m"
    return f"£{value:,.2f}" if value < 10 else f"£{value:,.0f}"


def _annualised(b: dict, capital: float) -> str:
    return f"{_pounds(capital)} over {b['capital_years']} years at {b['discount_rate']:.1%}"


def cost_rows(s: dict) -> list[tuple[str, str, float]]:
    """The objective's parts as (item, what it includes, pounds a year), in
    :data:`~planner.analysis.figures.COST_PARTS` order; empty for a plan without costs."""
    costs, b = s.get("costs") or {}, s.get("cost_basis")
    if not costs:
        return []
    if b is None:  # a plan saved before the basis was recorded
        return [(part.replace("_", " "), "", float(costs[part])) for part in costs]
    described = {
        "scanners": (
            "static scanners",
            f"{counted(s['scanners_fixed'], 'scanner')} x {_pounds(b['scanner_yearly'])} a year: "
            f"capital {_annualised(b, b['scanner_capital'])}, plus "
            f"{_pounds(b['scanner_operating'])} operating",
        ),
        "new_static_sites": (
            "new static sites",
            f"{counted(s.get('new_static_sites', 0), 'installation')} x "
            f"{_pounds(b['new_static_site_yearly'])} a year: "
            f"{_annualised(b, b['site_installation'])}",
        ),
        "open_sites": (
            "open sites",
            f"{counted(s['sites_open'], 'site')} x {_pounds(b['open_site_yearly'])} a year",
        ),
        "mobile_days": (
            "mobile-unit days",
            f"{counted(s['mobile_days_per_week'], 'day')} a week x "
            f"{_pounds(b['mobile_day_operating'])} x {b['weeks_per_year']:g} weeks",
        ),
        "mobile_units": (
            "mobile units",
            f"{counted(s.get('mobile_units', 0), 'unit')} x {_pounds(b['mobile_unit_yearly'])} "
            f"a year: {_annualised(b, b['mobile_unit_capital'])}",
        ),
        "training_hubs": (
            "training hubs",
            f"{counted(s.get('hubs_open', 0), 'hub')} x {_pounds(b['hub_annual_cost'])} a year",
        ),
        "travel": (
            "patients' travel",
            f"{shown(s.get('travel_scan_minutes', 0), '{:,.0f}')} minutes a year "
            "(one way, all scans) x "
            f"{_pounds(b['travel_minute_yearly'])}",
        ),
        "unmet_penalty": (
            "unmet demand",
            f"{counted(s['unmet_scans'], 'scan')} a year left unmet x "
            f"{_pounds(b['unmet_scan_yearly'])}, the model's penalty (not a spend)",
        ),
    }
    return [(*described[part], float(costs.get(part, 0.0))) for part in COST_PARTS]


def total_sentence(s: dict) -> str:
    """What the total is: the model's objective, or for a phased plan the plan year's cost."""
    total, objective = s.get("total_cost"), s.get("objective")
    if total is None:
        return (
            "A plan saved before planner recorded every part of its cost: its parts may not "
            f"add up to its objective, {money(objective)}."
        )
    if s.get("objective_scope") == "discounted total":
        return (
            f"Total {money(total)} a year in plan year {s.get('plan_year')}; the model's "
            f"objective, {money(objective)}, is the discounted total over the planning years."
        )
    return f"Total {money(total)} a year: the model's objective, what the optimiser minimised."


def sites_text(s: dict) -> str:
    """``40 sites: 37 static (4 new), 3 mobile-only (1 new)``."""
    open_, static = s["sites_open"], s.get("sites_static", s["sites_open"])
    mobile_only = s.get("sites_mobile_only", open_ - static)
    new_static = s.get("new_sites_static")
    new_mobile = s.get("new_sites_mobile_only")
    if new_static is None:  # an older summary: new sites of either kind
        return (
            f"{counted(open_, 'site')}: {static} static, {mobile_only} mobile-only; "
            f"{s.get('new_sites', '?')} new"
        )
    mobile = f"{mobile_only} mobile-only" + (f" ({new_mobile} new)" if new_mobile else "")
    return f"{counted(open_, 'site')}: {static} static ({new_static} new), {mobile}"


def mobile_text(s: dict) -> str:
    """``8 mobile units, 40 days a week`` (or why there are none)."""
    units, days = s.get("mobile_units", 0), s["mobile_days_per_week"]
    if not units and not days:
        return "none" + (" (the scenario allows none)" if s.get("mobile_allowed") is False else "")
    return f"{counted(units, 'mobile unit')}, {counted(days, 'day')} a week"


def changes_text(s: dict) -> str | None:
    """Today's network against the plan's, in one sentence; ``None`` for an older summary."""
    today, c = s.get("today"), s.get("changes")
    if not today or not c:
        return None
    now = (
        f"today {counted(today['sites'], 'site')} ({today['static_sites']} static, "
        f"{today['mobile_sites']} mobile-served), "
        f"{counted(today['static_scanners'], 'static scanner')}"
    )
    steps = [
        f"{counted(c['scanners_to_buy'], 'scanner')} to buy",
        f"{counted(c['sites_opened'], 'site')} to open",
        f"{c['mobile_to_static']} converted from mobile to static",
        f"{c['sites_closed']} closed",
    ]
    if c.get("scanners_removed"):
        steps.append(f"{counted(c['scanners_removed'], 'scanner')} taken out")
    if c.get("static_to_mobile"):
        steps.append(f"{c['static_to_mobile']} static turned mobile-only")
    return f"{now}; the plan: " + ", ".join(steps)


def capital_text(s: dict) -> str | None:
    """One-off capital and its parts; ``None`` for an older summary."""
    cap, b = s.get("capital"), s.get("cost_basis")
    if not cap or not b:
        return None
    parts = [
        f"{counted(cap['scanners_to_buy'], 'scanner')} to buy x {_pounds(b['scanner_capital'])}",
        f"{counted(cap['new_static_sites'], 'new static site')} x "
        f"{_pounds(b['site_installation'])} installation",
    ]
    if cap.get("mobile_units_counted_as_bought"):
        parts.append(
            f"{counted(cap['mobile_units_counted_as_bought'], 'mobile unit')} x "
            f"{_pounds(b['mobile_unit_capital'])} (counted as bought: the data do not say how "
            "many run today)"
        )
    return f"{money(cap['total'])} once: " + ", ".join(parts)


def headroom_text(s: dict) -> str | None:
    """A warning when the network or a site is at or above the headroom threshold."""
    room, used = s.get("headroom"), s.get("mean_utilisation")
    if not room:
        return None
    limit = room["threshold"]
    network_full = used is not None and used >= limit - 1e-9
    if not network_full and room["sites_at_or_above"] == 0:
        return None
    busiest = ", ".join(f"{name} {u:.0%}" for name, u in room["busiest"])
    network = f"network at {used:.1%} of its capacity" if used is not None else ""
    sites = (
        f"{room['sites_at_or_above']} of {room['sites_open']} open sites at {limit:.0%} or more"
        + (f" ({busiest}{', ...' if room['sites_at_or_above'] > len(room['busiest']) else ''})")
        if room["sites_at_or_above"]
        else ""
    )
    what = "; ".join(p for p in (network if network_full else "", sites) if p)
    return f"WARNING no headroom: {what}; no room for a breakdown, a closure or demand growth"


def access_text(s: dict) -> str | None:
    """The access target's status, measured whether or not the scenario enforced it."""
    share = s.get("access_goal_share", s.get("access_target_share"))
    if share is None or s.get("access_share") is None:
        return None
    met = "met" if s.get("access_target_met") else "NOT met"
    enforced = "" if s.get("access_target_enforced", True) else " (not enforced)"
    return (
        f"{share:.0%} within {shown(s.get('access_target_minutes'), '{:g}')} min{enforced}: {met} "
        f"({s['access_share']:.2%})"
    )


def tracer_text(s: dict) -> str | None:
    """The FDG supply rule, with its reason in plain words."""
    if s.get("tracer_delivery_minutes") is None:
        return None
    text = f"every open site within {s['tracer_delivery_minutes']:.0f} min of an FDG supplier"
    fraction, half = s.get("tracer_min_activity_fraction"), s.get("tracer_half_life_minutes")
    if fraction is not None and half is not None:
        text += (
            f": FDG loses half its activity every {half:g} min, and the scenario accepts "
            f"{fraction:.0%} left on arrival (tracer.min_activity_fraction); "
            f"{s['tracer_delivery_minutes']:.0f} min by road leaves that much"
        )
        text += (
            f" (the default, {MIN_ACTIVITY_FRACTION:.0%}: an assumption whose reason "
            "planner/defaults.py gives)"
            if math.isclose(fraction, MIN_ACTIVITY_FRACTION)
            else f" (the scenario's own choice; the default is {MIN_ACTIVITY_FRACTION:.0%}, "
            "an assumption whose reason planner/defaults.py gives)"
        )
    longest = s.get("tracer_longest_delivery_minutes")
    if longest is not None:
        text += f"; the longest delivery in this plan is {longest:.0f} min"
    return text


def n_minus_1_text(s: dict) -> str | None:
    """The first-ranked N-1 site and what its loss would mean."""
    if s.get("n_minus_1_worst_site") is None:
        return None
    unabsorbed = s.get("n_minus_1_unabsorbed_scans")
    parts = [
        f"closing {s['n_minus_1_worst_site']} hurts most: "
        f"{counted(unabsorbed, 'scan')} a year could go nowhere else"
    ]
    if s.get("n_minus_1_people_losing_access") is not None:
        parts.append(
            f"{s['n_minus_1_people_losing_access']:,.0f} people lose their only "
            f"static scanner within {shown(s.get('n_minus_1_access_minutes'), '{:g}')} min"
        )
        parts.append(
            "its moved scans travel "
            f"{shown(s.get('n_minus_1_extra_minutes_per_moved_scan'), '{:.0f}')} min "
            "more each (with the patients moved to make room)"
        )
        spare = (s.get("capacity_scans") or 0.0) - (s.get("assigned_scans") or 0.0)
        parts.append(
            f"{shown(s.get('n_minus_1_sites_leaving_scans'), '{}')} of {s['sites_open']} "
            "sites' loss would leave "
            f"scans with nowhere to go (the network has {spare:,.0f} scans a year spare)"
        )
        if (s.get("n_minus_1_baseline_unmet") or 0) >= 0.5:
            parts.append(
                f"besides the {s['n_minus_1_baseline_unmet']:,.0f} scans the plan leaves unmet"
            )
    return "; ".join(parts)


def status_text(s: dict) -> str:
    """``optimal (gap 0.123%)`` or ``feasible, not proven optimal: ...``."""
    status, gap = s["status"], s.get("mip_gap")
    gap_text = "" if gap is None else f" (gap {gap:.3%})"
    if status == "feasible":
        by = f"at most {gap:.2%}" if gap is not None else "an unknown amount"
        return f"feasible, not proven optimal: a cheaper plan may exist, by {by}"
    return status + gap_text


def summary_lines(s: dict, *, verbose: bool = False) -> list[str]:
    """The headline figures as ``planner run`` prints them; ``verbose`` adds the solver's
    name, time and the model's size."""
    shares = s.get("share_within_minutes", {})
    share_text = ", ".join(f"{k} min {v:.1%}" for k, v in shares.items() if v is not None)
    rows: list[tuple[str, str | None]] = [
        ("status", status_text(s)),
        ("sites open", sites_text(s)),
        ("today vs plan", changes_text(s)),
        ("static scanners", f"{s['scanners_fixed']:,}"),
        ("mobile units", mobile_text(s)),
        (
            "demand",
            f"{s['demand_scans']:,.0f} scans a year, unmet {s['unmet_scans']:,.0f}"
            + (" (WARNING: demand left unmet)" if s["unmet_scans"] >= 0.5 else ""),
        ),
        ("utilisation", _utilisation(s)),
        ("headroom", headroom_text(s)),
        (
            "travel",
            f"mean {shown(s['mean_travel_minutes'], '{:.1f}')} min, 95th percentile "
            f"{shown(s.get('p95_travel_minutes'), '{:.1f}')} min",
        ),
        ("population within", share_text),
        ("access target", access_text(s)),
    ]
    lines = [f"{s.get('title') or s.get('scenario') or 'Untitled plan'}"]
    lines += [f"  {label:<17} {text}" for label, text in rows if text]
    lines += _cost_lines(s)
    rows = [
        ("one-off capital", capital_text(s)),
        ("training hubs", _hubs_text(s)),
        ("FDG supply", tracer_text(s)),
        ("N-1", n_minus_1_text(s)),
        ("phasing", _phasing_text(s)),
    ]
    if verbose:
        rows += [("solver", _solver_text(s)), ("model", _model_text(s))]
    lines += [f"  {label:<17} {text}" for label, text in rows if text]
    return lines


def _utilisation(s: dict) -> str | None:
    used, capacity = s.get("mean_utilisation"), s.get("capacity_scans")
    if used is None or capacity is None:
        return None
    return f"{used:.1%} of {capacity:,.0f} scans a year of capacity"


def _cost_lines(s: dict) -> list[str]:
    rows = cost_rows(s)
    if not rows:
        annual = s.get("annual_cost")
        return [] if annual is None else [f"  {'yearly cost':<17} {money(annual)}"]
    lines = [f"  {'yearly cost':<17} {total_sentence(s)} Of which:"]
    width = max(len(money(p)) for _, _, p in rows)
    for item, includes, pounds in rows:
        lines.append(f"    {item:<18} {money(pounds):>{width}}  {includes}")
    service = money(service_cost(s.get("costs") or {}))
    lines.append(
        f"    {'(service cost':<18} {service:>{width}}  every part but patients' travel and "
        "unmet demand)"
    )
    return lines


def _hubs_text(s: dict) -> str | None:
    if "hubs_open" not in s:
        return None
    return (
        f"{counted(s['hubs_open'], 'hub')} open, "
        f"{shown(s.get('hub_trainee_load', 0), '{:,.0f}')} trainee places used"
    )


def _phasing_text(s: dict) -> str | None:
    if not s.get("phasing"):
        return None
    return "; ".join(
        f"year {p['year']}: {counted(p['sites_open'], 'site')}, "
        f"{counted(p['scanners_fixed'], 'scanner')}"
        for p in s["phasing"]
    )


def _solver_text(s: dict) -> str:
    text = (
        f"{s.get('solver') or 'solver not recorded'}, {shown(s.get('solve_seconds'), '{:.1f}')} s"
    )
    if s.get("build_seconds") is not None:
        text += f" (build {s['build_seconds']:.1f} s)"
    if s.get("solver_message"):
        text += f"; {s['solver_message']}"
    return text


def _model_text(s: dict) -> str | None:
    size = s.get("model_size")
    if not size:
        return None
    method = size.get("method", "full")
    return (
        f"{size['variables']:,} variables ({size['integer_variables']:,} integer), "
        f"{size['constraints']:,} constraints, {size['nonzeros']:,} nonzeros "
        f"({method}; {size['zones']:,} zones x {size['sites']:,} sites, "
        f"{size['pairs']:,} pairs)"
    )


def summary_text(summary: dict, *, verbose: bool = False) -> str:
    """The headline figures of a plan's summary, as lines of plain text."""
    return "\n".join(summary_lines(summary, verbose=verbose))
