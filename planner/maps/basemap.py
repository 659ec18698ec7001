"""The maps' own basemap, drawn from the embedded data so that a map reads with no network.

Layers, from the bottom up:

* **land**: England's outline (``geodata/england.geojson``), in a pane under Leaflet's tile pane,
  so that online tiles, when a viewer turns them on, cover it;
* **online tiles** (:class:`OnlineTiles`): OpenStreetMap, an overlay that starts off; when a tile
  cannot load (no internet, or a network that blocks the tile server) a note on the map says so;
* the plan's areas (regions, ICBs, catchments, demand zones: :mod:`planner.maps.layers`);
* **boundaries** (:class:`BoundaryLines`): the borders between ICBs (thin) and between ONS
  regions (thicker), simplified together as one coverage so that shared borders stay shared;
* the plan's site, hub and link markers;
* **place names** (:class:`PlaceNames`): towns and cities (``geodata/towns.csv``, GeoNames),
  sized by population and shown by zoom (:func:`town_rows`), over the site markers so that a
  city's name stays legible where its hospitals' markers crowd it (the markers show round the
  thin lettering), under suppliers, tooltips and popups.

The land, boundaries and names do not take the pointer, so everything under them stays clickable.
Town names are set as text (``textContent``), never parsed as HTML.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.map import Layer
from folium.template import Template
from shapely.geometry import mapping

#: Panes: (name, z-index). Leaflet's tile pane is 200, the areas' canvas 350 (``AREA_PANE``), its
#: overlay pane (site markers) 400, its marker pane (suppliers) 600, tooltips 650.
LAND_PANE = ("planner-land", 150)
BOUNDARY_PANE = ("planner-boundaries", 360)
LABEL_PANE = ("planner-labels", 450)

#: Degrees (about 500 m north-south): outlines that read at national and county zoom, in about
#: 200 KB for land and boundaries together; coordinates are rounded to 3 decimals (about 100 m).
BASEMAP_TOLERANCE = 0.005
_DECIMALS = 3

#: Population classes of place names: (smallest population, font size in px, lowest zoom at which
#: a place of that class may be shown). Cities (100,000+) may show at every zoom; smaller towns
#: from zoom 7, 8 or 9. A place is shown only from the zoom at which its name no longer overlaps
#: the name of any larger place shown there (:func:`town_rows`).
TOWN_CLASSES = (
    (1_000_000, 15, 0),
    (250_000, 13, 0),
    (100_000, 12, 0),
    (40_000, 11, 7),
    (15_000, 10, 8),
    (0, 10, 9),
)
#: Places whose name still overlaps a larger place's at this zoom are left out (GeoNames lists,
#: e.g., "Manchester City Centre" at Manchester's own point).
MAX_LABEL_ZOOM = 13
_CHAR_WIDTH = 0.58  # of the font size: Helvetica/Arial's mean advance, a little generous
_GAP_PX = 4  # empty pixels kept between two names

GEONAMES_ATTRIBUTION = (
    'Place names: <a href="https://www.geonames.org/">GeoNames</a> (CC-BY 4.0); '
    "boundaries: ONS (OGL v3)"
)
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'


# -- data -----------------------------------------------------------------------------------------
def _rounded(geom: shapely.Geometry) -> dict:
    """GeoJSON of ``geom`` on a grid of ``_DECIMALS`` decimals, kept valid (islets that collapse
    onto the grid are dropped)."""
    return mapping(shapely.set_precision(geom, 10.0**-_DECIMALS))


def _inner_borders(polygons: np.ndarray) -> shapely.Geometry:
    """The borders between neighbouring polygons of a coverage, without its outer edge."""
    lines = shapely.union_all(shapely.boundary(polygons))
    outer = shapely.boundary(shapely.union_all(polygons))
    return shapely.line_merge(lines.difference(outer))


@cache
def basemap_shapes(tolerance: float = BASEMAP_TOLERANCE) -> dict[str, dict]:
    """England's land and its region and ICB borders, simplified, as GeoJSON geometries.

    Returns
    -------
    dict
        ``land`` (England's outline), ``regions`` and ``icbs`` (the inner borders, lines). Cached:
        callers must not change it.
    """
    from planner.data import embedded

    land = shapely.simplify(embedded.load_england().geometry.union_all(), tolerance)
    regions = shapely.coverage_simplify(embedded.load_regions().geometry.to_numpy(), tolerance)
    icbs = shapely.coverage_simplify(embedded.load_icbs().geometry.to_numpy(), tolerance)
    return {
        "land": _rounded(land),
        "regions": _rounded(_inner_borders(regions)),
        "icbs": _rounded(_inner_borders(icbs)),
    }


def _mercator(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at zoom 0 (the world is 256 pixels wide)."""
    x = (lon + 180.0) / 360.0 * 256.0
    phi = np.radians(lat)
    y = (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / math.pi) / 2.0 * 256.0
    return x, y


def town_rows(towns: pd.DataFrame) -> list[list]:
    """Place names with their size class and the lowest zoom at which each is shown.

    A place of population class c (:data:`TOWN_CLASSES`) is shown from zoom ``m`` = the class's
    lowest zoom, raised until its name's box no longer overlaps the box of any larger place shown
    at that zoom or any higher one (boxes are estimated from the font size and the name's
    length). Larger places are placed first, so a city never gives way to a town; a place whose
    name overlaps a larger one's even at :data:`MAX_LABEL_ZOOM` is left out.

    Parameters
    ----------
    towns
        ``name``, ``lat``, ``lon``, ``population`` (:func:`planner.data.embedded.load_towns`).

    Returns
    -------
    list of list
        ``[lat, lon, name, class, zoom]`` rows, largest place first; ``class`` indexes
        :data:`TOWN_CLASSES` (0 for the largest), ``name`` is the raw text.
    """
    towns = towns.sort_values("population", ascending=False, kind="stable").reset_index(drop=True)
    population = towns["population"].to_numpy(float)
    lowest = np.array([c[0] for c in TOWN_CLASSES], float)
    classes = np.argmax(population[:, None] >= lowest[None, :], axis=1)
    font = np.array([c[1] for c in TOWN_CLASSES], float)[classes]
    base = np.array([c[2] for c in TOWN_CLASSES], float)[classes]
    width = _CHAR_WIDTH * font * towns["name"].str.len().to_numpy(float) + _GAP_PX
    height = 1.25 * font + _GAP_PX
    x, y = _mercator(towns["lat"].to_numpy(float), towns["lon"].to_numpy(float))
    shown_from = np.full(len(towns), np.inf)
    for i in range(len(towns)):
        dx, dy = np.abs(x[:i] - x[i]), np.abs(y[:i] - y[i])
        with np.errstate(divide="ignore"):
            # Two boxes stop overlapping once the offset at zoom z, offset0 * 2**z, exceeds half
            # their summed size along x or along y.
            clear_x = np.log2((width[:i] + width[i]) / 2 / dx)
            clear_y = np.log2((height[:i] + height[i]) / 2 / dy)
        clear = np.ceil(np.minimum(clear_x, clear_y))
        # A larger place shown from m(Q) conflicts at every zoom from m(Q) up to clear(Q).
        conflicts = clear > shown_from[:i]
        zoom = max(base[i], float(clear[conflicts].max()) if conflicts.any() else 0.0)
        shown_from[i] = zoom if zoom <= MAX_LABEL_ZOOM else np.inf
    keep = np.isfinite(shown_from)
    return [
        [round(float(la), 5), round(float(lo), 5), str(name), int(c), int(z)]
        for la, lo, name, c, z in zip(
            towns["lat"][keep],
            towns["lon"][keep],
            towns["name"][keep],
            classes[keep],
            shown_from[keep],
            strict=True,
        )
    ]


@cache
def embedded_town_rows() -> tuple[tuple, ...]:
    """:func:`town_rows` of the embedded towns (cached; rows as tuples, so nobody changes them)."""
    from planner.data import embedded

    return tuple(tuple(r) for r in town_rows(embedded.load_towns()))


# -- layers ---------------------------------------------------------------------------------------
class BasemapPanes(MacroElement):
    """Creates the basemap's panes (none takes the pointer) and draws England's land.

    Must be added to the map before the other basemap layers.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for pane in this.panes %}
        {{ this._parent.get_name() }}.createPane({{ pane[0]|tojson }});
        {{ this._parent.get_name() }}.getPane({{ pane[0]|tojson }}).style.zIndex = {{ pane[1] }};
        {{ this._parent.get_name() }}.getPane({{ pane[0]|tojson }}).style.pointerEvents = "none";
        {% endfor %}
        L.geoJson({{ this.land|tojson }}, {
            renderer: L.canvas({pane: {{ this.panes[0][0]|tojson }}, padding: 0.3}),
            pane: {{ this.panes[0][0]|tojson }}, interactive: false,
            style: {color: "#8fa6bb", weight: 1, fillColor: "#f6f3ec", fillOpacity: 1}
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, land: dict) -> None:
        super().__init__()
        self._name = "BasemapPanes"
        self.panes = [LAND_PANE, BOUNDARY_PANE, LABEL_PANE]
        self.land = {"type": "Feature", "geometry": land, "properties": {}}


class BoundaryLines(Layer):
    """The borders between ICBs (thin, grey) and between ONS regions (dark), not interactive."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var renderer = L.canvas({pane: {{ this.pane|tojson }}, padding: 0.3});
            var group = L.layerGroup([], {attribution: {{ this.attribution|tojson }}});
            group.addLayer(L.geoJson({{ this.icbs|tojson }}, {renderer: renderer,
                pane: {{ this.pane|tojson }}, interactive: false,
                style: {color: "#6f6f6f", weight: 0.8, opacity: 0.7, dashArray: "3 3"}}));
            group.addLayer(L.geoJson({{ this.regions|tojson }}, {renderer: renderer,
                pane: {{ this.pane|tojson }}, interactive: false,
                style: {color: "#303030", weight: 1.8, opacity: 0.8}}));
            return group;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, regions: dict, icbs: dict, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "BoundaryLines"
        self.pane = BOUNDARY_PANE[0]
        self.regions = {"type": "Feature", "geometry": regions, "properties": {}}
        self.icbs = {"type": "Feature", "geometry": icbs, "properties": {}}
        self.attribution = GEONAMES_ATTRIBUTION


class PlaceNames(Layer):
    """Town and city names (``div.planner-town``), drawn for the current zoom and view only.

    Rows are :func:`town_rows`; the layer redraws after every pan and zoom, and hides while a
    zoom animates (the names would otherwise slide off their places).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var towns = {{ this.rows|tojson }};
            var Names = L.Layer.extend({
                options: {attribution: {{ this.attribution|tojson }}},
                onAdd: function (map) {
                    this._box = L.DomUtil.create("div", "planner-towns");
                    map.getPane({{ this.pane|tojson }}).appendChild(this._box);
                    map.on("moveend zoomend", this._draw, this);
                    map.on("zoomstart", this._hide, this);
                    this._draw();
                },
                onRemove: function (map) {
                    map.off("moveend zoomend", this._draw, this);
                    map.off("zoomstart", this._hide, this);
                    L.DomUtil.remove(this._box);
                },
                _hide: function () { this._box.style.display = "none"; },
                _draw: function () {
                    var map = this._map, zoom = map.getZoom();
                    var view = map.getBounds().pad(0.1), box = this._box;
                    box.textContent = "";
                    box.style.display = "";
                    towns.forEach(function (t) {
                        if (t[4] > zoom || !view.contains([t[0], t[1]])) { return; }
                        var at = L.DomUtil.create("div", "planner-town-at", box);
                        var text = L.DomUtil.create("span", "planner-town", at);
                        L.DomUtil.addClass(text, "planner-town-" + t[3]);
                        text.textContent = t[2];
                        L.DomUtil.setPosition(at, map.latLngToLayerPoint([t[0], t[1]]));
                    });
                }
            });
            return new Names();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list | tuple, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "PlaceNames"
        self.rows = [list(r) for r in rows]
        self.pane = LABEL_PANE[0]
        self.attribution = GEONAMES_ATTRIBUTION


class OnlineTiles(Layer):
    """OpenStreetMap tiles, off at first; a visible note when a tile fails to load.

    The note (``div.planner-tile-note``) stays hidden until Leaflet's ``tileerror`` event, and
    hides again when the layer is turned off.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="planner-box planner-tile-note" style="display: none">Online map tiles could
        not be loaded (no internet, or this network blocks the tile server). The map's own
        outlines and place names are shown instead.</div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var tiles = L.tileLayer({{ this.url|tojson }}, {
                maxZoom: 19, attribution: {{ this.attribution|tojson }}
            });
            function note(shown) {
                var box = document.querySelector(".planner-tile-note");
                if (box) { box.style.display = shown ? "block" : "none"; }
            }
            tiles.on("tileerror", function () { note(true); });
            tiles.on("remove", function () { note(false); });
            return tiles;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=False)
        self._name = "OnlineTiles"
        self.url = OSM_URL
        self.attribution = OSM_ATTRIBUTION


def basemap_layers() -> tuple[BasemapPanes, list[Layer]]:
    """The land (with the panes, to add first) and the layers to add after the plan's own:
    boundaries, place names and the online tiles (in the layer control in that order)."""
    shapes = basemap_shapes()
    layers = [
        BoundaryLines(shapes["regions"], shapes["icbs"], name="Region and ICB boundaries"),
        PlaceNames(embedded_town_rows(), name="Place names"),
        OnlineTiles(name="Online map tiles (OpenStreetMap, needs internet)"),
    ]
    return BasemapPanes(shapes["land"]), layers
