"""Areas on a plan map: their shapes and their choropleth layer.

:func:`prepare_region_shapes` readies the polygons (simplified, coordinates rounded) and
:func:`region_layer` draws them as one choropleth layer with a tooltip per area; what colours them
is :mod:`planner.maps.metrics`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import mapping

from planner.errors import InputError
from planner.maps.layers import AreaCanvas, GeoJsonAreas, round_geometry
from planner.maps.text import NO_DATA, escape, html_table, is_missing

#: Palette of a difference between two plans, most negative first; the pale middle is "little
#: change", so the eye goes to the regions that moved.
DIVERGING = ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")


def _colour(value: float, edges: list[float], palette: Sequence[str]) -> str:
    if is_missing(value):
        return NO_DATA
    return palette[int(np.searchsorted(edges, value, side="right"))]


def prepare_region_shapes(regions: gpd.GeoDataFrame | None, tolerance: float) -> gpd.GeoDataFrame:
    """Region polygons ready to draw: in EPSG:4326, simplified and rounded.

    Parameters
    ----------
    regions
        Polygons with a ``region_code`` column; None for
        :func:`planner.data.embedded.load_regions`.
    tolerance
        Simplification tolerance in degrees (0 keeps the outlines as they are).

    Raises
    ------
    InputError
        If ``regions`` is not a GeoDataFrame with a ``region_code`` column.
    """
    if regions is None:
        from planner.data.embedded import load_regions

        regions = load_regions()
    if not isinstance(regions, gpd.GeoDataFrame) or "region_code" not in regions:
        raise InputError(
            "region shapes must be a GeoDataFrame with a region_code column", source="regions"
        )
    shapes = regions.to_crs("EPSG:4326") if regions.crs else regions.set_crs("EPSG:4326")
    shapes = shapes.copy()
    shapes["region_code"] = shapes["region_code"].astype(str)
    if tolerance > 0:
        shapes["geometry"] = shapes.geometry.simplify(tolerance, preserve_topology=True)
    shapes["geometry"] = [round_geometry(g) for g in shapes.geometry]
    return shapes


def region_layer(
    shapes: gpd.GeoDataFrame,
    names: pd.Series,
    values: pd.Series,
    edges: list[float],
    palette: Sequence[str],
    tip_rows: Callable[[str], list[tuple[str, ...]]],
    canvas: AreaCanvas,
    layer_name: str,
    header: Sequence[str] = (),
    show: bool = True,
) -> GeoJsonAreas:
    """A choropleth of ``values`` by region, with a tooltip table per region.

    Parameters
    ----------
    shapes
        Region polygons from :func:`prepare_region_shapes`.
    names
        Display names by region_code; a region without one shows its ``region_name`` or code.
    values
        The value colouring each region, by region_code (missing: the "no data" colour).
    edges, palette
        Inner class boundaries and one colour per class.
    tip_rows
        The tooltip's table rows for a region_code.
    canvas
        The canvas the polygons are drawn on.
    layer_name
        Name in the layer control (escaped here).
    header
        Column headings of the tooltip table, if any.
    show
        Whether the layer starts visible.
    """
    features = []
    for row in shapes.itertuples():
        code = row.region_code
        name = names.get(code) or getattr(row, "region_name", None) or code
        style = {
            "color": "#555555",
            "weight": 1,
            "fillColor": _colour(values.get(code), edges, palette),
            "fillOpacity": 0.6,
        }
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(row.geometry),
                "properties": {"style": style, "tip": html_table(name, tip_rows(code), header)},
            }
        )
    return GeoJsonAreas(
        {"type": "FeatureCollection", "features": features},
        canvas,
        name=escape(layer_name),
        show=show,
        highlight=True,
    )
