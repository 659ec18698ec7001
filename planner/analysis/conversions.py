"""Sites a plan converts, named for what they become.

An existing site is today either static (``existing_kind`` ``fixed``) or visited by a mobile
unit (``mobile``), and its name often says so: the facts file names "Queen Elizabeth Hospital
Birmingham (mobile visits)". A plan that gives such a site static scanners converts it, and a
map or report that kept the old name would tell a board the opposite of the plan. So a converted
site is shown as, e.g., "Queen Elizabeth Hospital Birmingham (static, converted from mobile
visits)": the name's own note on being mobile becomes the "converted from" part, or
"(static, converted from mobile)" is added to a name without one. A static site that the plan
serves by mobile days only becomes "(mobile, converted from static)".
"""

from __future__ import annotations

import re

import pandas as pd

#: A trailing parenthesis of a name that speaks of mobile service: "(mobile visits)",
#: "(mobile, 1 day a week)".
_MOBILE_NOTE = re.compile(r"\s*\(([^()]*\bmobile\b[^()]*)\)\s*$", re.IGNORECASE)


def conversion(site: dict | pd.Series) -> str | None:
    """``"to static"``, ``"to mobile"`` or None: how the plan changes an existing site's kind.

    Parameters
    ----------
    site
        A row of a plan's sites table: ``existing``, ``existing_kind`` (``fixed``/``mobile``),
        ``open``, ``fixed_scanners``, ``mobile_days``. A row without ``existing_kind`` (a plan
        saved from tables that did not say) is never converted.
    """
    kind = str(site.get("existing_kind", "") or "")
    if not bool(site.get("existing")) or not bool(site.get("open")) or not kind:
        return None
    static = float(site.get("fixed_scanners", 0) or 0) > 0
    mobile = float(site.get("mobile_days", 0) or 0) > 0
    if kind == "mobile" and static:
        return "to static"
    if kind == "fixed" and mobile and not static:
        return "to mobile"
    return None


def converted_name(name: str, change: str | None) -> str:
    """``name`` as the plan's ``change`` (:func:`conversion`) makes it.

    Examples
    --------
    >>> converted_name("Queen Elizabeth Hospital Birmingham (mobile visits)", "to static")
    'Queen Elizabeth Hospital Birmingham (static, converted from mobile visits)'
    >>> converted_name("Reading", "to static")
    'Reading (static, converted from mobile)'
    >>> converted_name("Leeds St James's University Hospital", "to mobile")
    "Leeds St James's University Hospital (mobile, converted from static)"
    """
    if change == "to static":
        note = _MOBILE_NOTE.search(name)
        if note:
            return f"{name[: note.start()]} (static, converted from {note.group(1).strip()})"
        return f"{name} (static, converted from mobile)"
    if change == "to mobile":
        return f"{name} (mobile, converted from static)"
    return name


def display_names(sites: pd.DataFrame) -> pd.Series:
    """The name each site of a plan's sites table is shown by (converted sites renamed)."""
    return pd.Series(
        [converted_name(str(row["name"]), conversion(row)) for row in sites.to_dict("records")],
        index=sites.index,
        dtype=object,
    )
