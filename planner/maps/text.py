"""Text on plan maps: HTML escaping, number formats, small-number suppression, legend pieces.

Everything that turns data into HTML for :mod:`planner.maps` goes through :func:`escape` here
(directly or via :func:`html_table` and :func:`legend_row`), so a site, zone or region name such as
``<img src=x onerror=alert(1)>`` is shown as text and runs nothing.

Assumption (statistical disclosure): NHS practice for published activity counts is to suppress
small numbers (NHS Digital's HES rules suppress 1 to 7; many NHS bodies use 1 to 9). Here every
displayed count of scans that rounds to 1 up to ``suppress_below - 1`` (default
:data:`SUPPRESS_BELOW`, 10: 1 to 9) is shown as ``"<10"``; counts are rounded to whole scans.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import pandas as pd

#: Default threshold below which displayed scan counts are shown as "<N".
SUPPRESS_BELOW = 10

#: Fill of areas with no value.
NO_DATA = "#d9d9d9"


def escape(value: object) -> str:
    """Escape any value for HTML text or attributes."""
    return html.escape("" if value is None else str(value), quote=True)


def is_missing(value: object) -> bool:
    """None, NaN or pandas' NA."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_count(value: float | None, suppress_below: int = SUPPRESS_BELOW) -> str:
    """A count of scans for display, small numbers suppressed.

    Parameters
    ----------
    value
        The count (may be fractional: the model spreads expected scans).
    suppress_below
        Counts that round to 1 up to ``suppress_below - 1`` are shown as
        ``"<suppress_below>"``; 0 turns suppression off.

    Returns
    -------
    str
        ``"–"`` when missing, ``"0"``, ``"<10"`` or the count rounded, with thousands separators.
    """
    if is_missing(value):
        return "–"
    # Suppression applies to the count as displayed (rounded): 0.3 expected scans is "0", and
    # solver noise such as 1e-9 unmet scans is not flagged as a small count.
    count = round(float(value))
    if suppress_below > 0 and 0 < count < suppress_below:
        return f"<{suppress_below}"
    return f"{count:,}"


def displayed_count(value: float, suppress_below: int) -> float:
    """The value a marker may be sized by: suppressed counts all look the same."""
    if suppress_below > 0 and 0 < round(value) < suppress_below:
        return float(suppress_below)
    return float(value)


def pct(value: object, digits: int = 1) -> str:
    """A fraction as a percentage."""
    return "–" if is_missing(value) else f"{100 * float(value):.{digits}f}%"


def minutes(value: object) -> str:
    """Travel minutes, whole."""
    return "–" if is_missing(value) else f"{float(value):.0f} min"


def number(value: object, digits: int = 0) -> str:
    """A plain number with thousands separators (not a count of patients: no suppression)."""
    return "–" if is_missing(value) else f"{float(value):,.{digits}f}"


def html_table(
    title: str | None, rows: Iterable[tuple[str, ...]], header: Sequence[str] = ()
) -> str:
    """An HTML table; every cell is escaped here, so callers pass plain text."""
    parts = [f"<b>{escape(title)}</b>"] if title else []
    parts.append("<table>")
    if header:
        parts.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        label, *values = row
        cells = "".join(f'<td class="num">{escape(v)}</td>' for v in values)
        parts.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    parts.append("</table>")
    return "".join(parts)


def css_id(value: object) -> str:
    """A CSS-class-safe form of an id (for tests and user stylesheets)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(value))


def share_within(summary: dict, limit: float) -> float | None:
    """A plan's share of residents within ``limit`` minutes of a static scanner, from its
    summary (``share_within_minutes``, or ``access_share`` at its access time)."""
    shares = summary.get("share_within_minutes") or {}
    value = shares.get(f"{limit:g}")
    if value is None and limit == int(limit):
        value = shares.get(int(limit))
    if value is None and float(summary.get("access_target_minutes") or -1) == limit:
        value = summary.get("access_share")
    return value


def headline_rows(
    summary: dict, suppress_below: int, access_minutes: float | None = None
) -> list[tuple[str, str]]:
    """(label, value) rows of a plan's headline figures, for its title box.

    Parameters
    ----------
    summary
        The plan's summary.
    suppress_below
        Unmet scans below this (and above 0) are shown as ``"<N"``.
    access_minutes
        The travel time of the "Population within" row; default the plan's own
        (``access_target_minutes``, 60 when absent). Its target share is quoted when the row is
        about the plan's own access time.
    """
    own = float(summary.get("access_target_minutes") or 60)
    limit = own if access_minutes is None else float(access_minutes)
    share = share_within(summary, limit)
    target = summary.get("access_target_share")
    share_text = pct(share)
    if target is not None and not is_missing(share) and limit == own:
        share_text += f" (target {pct(target, 0)})"
    status = str(summary.get("status", "unknown"))
    if status != "optimal" and not is_missing(summary.get("mip_gap")):
        status += f", gap {pct(summary['mip_gap'], 2)}"
    return [
        ("Solver status", status),
        ("Sites open", number(summary.get("sites_open"))),
        ("Static scanners", number(summary.get("scanners_fixed"))),
        ("Mobile days a week", number(summary.get("mobile_days_per_week"), 1)),
        (f"Population within {limit:g} min", share_text),
        ("Mean travel", minutes(summary.get("mean_travel_minutes"))),
        ("Unmet scans a year", format_count(summary.get("unmet_scans"), suppress_below)),
    ]


def suppression_note(suppress_below: int) -> str:
    """A line saying how small counts are shown (escaped HTML)."""
    if suppress_below <= 0:
        return '<div class="planner-note">Counts are exact (no small-number suppression).</div>'
    return (
        f'<div class="planner-note">Counts of scans from 1 to {suppress_below - 1} are shown as '
        f"&quot;&lt;{suppress_below}&quot;.</div>"
    )


def circle_svg(fill: str, stroke: str, width: float = 1.5, r: int = 6, dash: str = "") -> str:
    """A legend symbol drawn like a circle marker (colours are the module's constants)."""
    size = 2 * r + 4
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="{size}" height="{size}"><circle cx="{size / 2}" cy="{size / 2}" r="{r}" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash_attr}/></svg>'
    )


def legend_row(symbol: str, text: str) -> str:
    """A legend line: ``symbol`` (trusted HTML) then ``text`` (escaped here)."""
    return f'<div class="row">{symbol}<span>{escape(text)}</span></div>'


def scale_rows(labels: Sequence[str], palette: Sequence[str], no_data: bool) -> list[str]:
    """Legend lines of a colour scale, plus a "no data" line when some area has none."""
    rows = [
        legend_row(f'<span class="swatch" style="background:{colour}"></span>', label)
        for colour, label in zip(palette, labels, strict=True)
    ]
    if no_data:
        rows.append(
            legend_row(f'<span class="swatch" style="background:{NO_DATA}"></span>', "no data")
        )
    return rows
