"""The folium elements plan maps are built from.

folium's own ``Popup`` and ``Tooltip`` put their text inside a JavaScript template literal (and
``Popup`` needs jQuery), so a site called ``${alert(1)}`` would run code there even after HTML
escaping. The elements here instead hand Leaflet JSON string literals (``tojson`` also escapes
``<``, ``>``, ``&`` and ``'``), built from HTML that :mod:`planner.maps` has already escaped.

Areas (regions, catchments) and the thousands of demand zones are drawn on one shared canvas in a
pane under the SVG overlay pane: a national map then has a handful of DOM nodes instead of
thousands, and Leaflet's canvas hit-testing still gives each shape its tooltip. Sites, hubs and
suppliers stay SVG/DOM elements, so they can be styled and counted by CSS class.
"""

from __future__ import annotations

from typing import Any

import folium
import numpy as np
import shapely
from branca.element import Element, MacroElement
from folium.map import Layer
from folium.template import Template

from planner.maps import assets as map_assets

#: Pane holding the shared canvas; below Leaflet's overlay pane (400) so site markers stay on top.
AREA_PANE = "planner-areas"
AREA_PANE_Z = 350

_CSS = """
<style>
  /* The SVG root covers the map; let clicks through to the canvas below except on shapes. */
  .leaflet-overlay-pane > svg { pointer-events: none; }
  .leaflet-container { background: #dde7ee; font: 13px/1.35 "Helvetica Neue", Arial, sans-serif; }
  .planner-box { position: fixed; z-index: 1000; background: rgba(255,255,255,0.94);
    border: 1px solid #999; border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,0.3);
    padding: 8px 10px; font: 12px/1.35 "Helvetica Neue", Arial, sans-serif; color: #222; }
  .planner-title { top: 10px; left: 54px; max-width: 360px; }
  .planner-title h1 { font-size: 15px; margin: 0 0 4px 0; }
  .planner-title .planner-warning { color: #b00020; font-weight: bold; }
  .planner-legend { bottom: 24px; right: 10px; max-width: 260px; max-height: 60vh;
    overflow-y: auto; }
  .planner-legend h2 { font-size: 12px; margin: 6px 0 3px 0; }
  .planner-legend h2:first-child { margin-top: 0; }
  .planner-legend .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  .planner-legend .swatch { width: 18px; height: 12px; border: 1px solid #777;
    flex: none; }
  .planner-legend svg { flex: none; }
  .planner-box table, .leaflet-popup-content table, .leaflet-tooltip table {
    border-collapse: collapse; }
  .planner-box td, .leaflet-popup-content td, .leaflet-tooltip td { padding: 0 6px 0 0; }
  .planner-box td.num, .leaflet-popup-content td.num { text-align: right; }
  .planner-note { color: #555; font-size: 11px; margin-top: 4px; }
  .planner-supplier-icon { width: 12px; height: 12px; background: #1a9850;
    border: 2px solid #fff; outline: 1px solid #1a6e3a; transform: rotate(45deg); }
  .planner-tile-note, .planner-cdn-note { bottom: 48px; left: 10px; max-width: 320px;
    color: #b00020; }
  .planner-cdn-note { top: 10px; bottom: auto; font-size: 14px; }
  .planner-towns, .planner-town-at { position: absolute; left: 0; top: 0; }
  .planner-town { position: absolute; transform: translate(-50%, calc(-100% - 5px));
    white-space: nowrap;
    color: #3a3a3a; font: 10px/1.2 "Helvetica Neue", Arial, sans-serif;
    text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
  .planner-town-0 { font-size: 15px; font-weight: bold; color: #1a1a1a; }
  .planner-town-1 { font-size: 13px; font-weight: bold; color: #222; }
  .planner-town-2 { font-size: 12px; font-weight: bold; }
  .planner-town-3 { font-size: 11px; }
</style>
"""


#: Runs after the CDN's script tag: when Leaflet did not load, the viewer is told why in words
#: instead of facing a blank page (the map's own script then fails with "L is not defined").
_CDN_CHECK = """
<script>
  if (typeof L === "undefined") {
    document.addEventListener("DOMContentLoaded", function () {
      var note = document.createElement("div");
      note.className = "planner-box planner-cdn-note";
      note.textContent = "This map could not load its map library (Leaflet) from the internet: " +
        "it was written with --cdn, and this network has no internet or blocks the CDN. " +
        "Redraw it without --cdn (planner map PLAN_FOLDER) for a file that needs no internet.";
      document.body.appendChild(note);
    });
  }
</script>
"""


def round_geometry(geom, digits: int = 4):
    """Round a geometry's coordinates (4 decimals of a degree is about 10 m): smaller pages."""
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


class PlannerMap(folium.Map):
    """A folium ``Map`` that loads only Leaflet, written into the page unless ``cdn``.

    Parameters
    ----------
    cdn
        Link Leaflet's script and stylesheet from the jsDelivr CDN (a smaller file that needs the
        internet) instead of inlining the committed copy; the page then says so in words when
        the library cannot load.
    **kwargs
        Passed to :class:`folium.Map`.
    """

    def __init__(self, *, cdn: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cdn = cdn
        # folium links jQuery, Bootstrap, Font Awesome and awesome-markers by default; nothing on
        # a plan map uses them, and each is a request (or ~100 KB inlined) for nothing.
        self.default_js = list(map_assets.MAP_JS)
        self.default_css = list(map_assets.MAP_CSS)

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if self.cdn:
            super().render(**kwargs)
            figure.header.add_child(Element(_CDN_CHECK), name="planner_cdn_check")
        else:
            for name, url in self.default_css:
                figure.header.add_child(Element(map_assets.inline_stylesheet(url)), name=name)
            for name, url in self.default_js:
                figure.header.add_child(Element(map_assets.inline_script(url)), name=name)
            js, css = self.default_js, self.default_css
            self.default_js, self.default_css = [], []
            try:
                super().render(**kwargs)
            finally:
                self.default_js, self.default_css = js, css
        # After Leaflet's stylesheet, so these rules win over its defaults.
        figure.header.add_child(Element(_CSS), name="planner_css")


class AreaCanvas(MacroElement):
    """Creates the pane and the shared canvas renderer, and exposes the map as ``plannerMap``.

    Also fits the map to ``bounds`` (``[[south, west], [north, east]]``), if given. Must be added
    to the map before any layer that draws on it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }});
        {{ this._parent.get_name() }}.getPane({{ this.pane|tojson }}).style.zIndex = {{ this.z }};
        var {{ this.get_name() }} = L.canvas({pane: {{ this.pane|tojson }}, padding: 0.3});
        {% if this.bounds %}
        // Without animation: the map must not open mid-zoom (nor be screenshotted so).
        {{ this._parent.get_name() }}.fitBounds({{ this.bounds|tojson }}, {animate: false});
        {% endif %}
        window.plannerMap = {{ this._parent.get_name() }};
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]] | None = None) -> None:
        super().__init__()
        self._name = "AreaCanvas"
        self.bounds = bounds
        self.pane = AREA_PANE
        self.z = AREA_PANE_Z


class ReadyMark(MacroElement):
    """Records in ``window.plannerReadyMs`` when the map is drawn: all layers added and the
    frame that draws them painted (milliseconds since navigation started; read by the load-time
    tests and ``benchmarks/map_weight.py``).

    Must be the last element added to the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.whenReady(function () {
            // Leaflet's canvases draw in the next animation frame; the frame after it runs once
            // that one is painted.
            requestAnimationFrame(function () {
                requestAnimationFrame(function () { window.plannerReadyMs = performance.now(); });
            });
        });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "ReadyMark"


class GeoJsonAreas(Layer):
    """Polygons drawn on the shared canvas, each with its own style, tooltip and popup.

    Parameters
    ----------
    data
        A GeoJSON FeatureCollection; each feature's properties hold ``style`` (Leaflet path
        options), and optionally ``tip`` and ``popup`` (HTML, already escaped).
    canvas
        The :class:`AreaCanvas` to draw on.
    name, show
        Layer name in the layer control (HTML, already escaped) and whether it starts visible.
    highlight
        Thicken a shape's outline while the pointer is over it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.data|tojson }}, {
            renderer: {{ this.canvas.get_name() }},
            pane: {{ this.pane|tojson }},
            style: function (f) { return f.properties.style; },
            onEachFeature: function (f, layer) {
                if (f.properties.tip) {
                    layer.bindTooltip(f.properties.tip, {sticky: true});
                }
                if (f.properties.popup) {
                    layer.bindPopup(f.properties.popup, {maxWidth: 360});
                }
                {% if this.highlight %}
                layer.on("mouseover", function () { layer.setStyle({weight: 3}); });
                layer.on("mouseout", function () { layer.setStyle(f.properties.style); });
                {% endif %}
            }
        });
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict,
        canvas: AreaCanvas,
        *,
        name: str,
        show: bool = True,
        highlight: bool = False,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoJsonAreas"
        self.data = data
        self.canvas = canvas
        self.pane = AREA_PANE
        self.highlight = highlight


class CanvasPoints(Layer):
    """Many small circle markers on the shared canvas, from compact rows, by zoom level.

    Each row is ``[lat, lon, radius, title, value_1, value_2, ...]``; the tooltip and popup are
    ``<b>title</b>`` followed by one line per entry of ``fields``. Text values must already be
    escaped HTML. Labels and lookups are sent once rather than once per point, which keeps a
    5,000-zone layer to a few hundred kilobytes. A level's markers are made the first time the
    map is zoomed into its range, so a fine level costs nothing at the national view.

    Parameters
    ----------
    levels
        ``(rows, from_zoom, below_zoom)`` per level, e.g. ``[(rows, 0, inf)]`` for one.
    fields
        ``[label, column]`` or ``[label, column, True]`` (the value is an index into ``lookup``);
        a value that is ``null`` or ``""`` is left out.
    lookup
        Shared strings (e.g. escaped site names).
    style
        Leaflet path options for every point.
    canvas, name, show
        As for :class:`GeoJsonAreas`.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var fields = {{ this.fields|tojson }};
            var lookup = {{ this.lookup|tojson }};
            var style = {{ this.style|tojson }};
            function describe(r) {
                var html = "<b>" + r[3] + "</b>";
                fields.forEach(function (f) {
                    var v = r[f[1]];
                    if (v === null || v === "") { return; }
                    html += "<br>" + f[0] + ": " + (f[2] ? lookup[v] : v);
                });
                return html;
            }
            function build(rows) {
                var group = L.featureGroup();
                rows.forEach(function (r) {
                    var options = Object.assign({}, style, {
                        radius: r[2], renderer: {{ this.canvas.get_name() }},
                        pane: {{ this.pane|tojson }}, row: r
                    });
                    group.addLayer(L.circleMarker([r[0], r[1]], options));
                });
                group.bindTooltip(function (layer) { return describe(layer.options.row); });
                group.bindPopup(function (layer) { return describe(layer.options.row); });
                return group;
            }
            var levels = [];
            {% for level in this.levels %}
            var rows = {{ level[0]|tojson }};
            levels.push({rows: rows, from: {{ level[1] }}, below: {{ level[2] }}, group: null});
            {% endfor %}
            if (levels.length === 1) { return build(levels[0].rows); }
            var outer = L.layerGroup(), map = null;
            function update() {
                var zoom = map.getZoom();
                levels.forEach(function (level) {
                    var wanted = zoom >= level.from && zoom < level.below;
                    if (wanted && !level.group) { level.group = build(level.rows); }
                    if (wanted && !outer.hasLayer(level.group)) { outer.addLayer(level.group); }
                    if (!wanted && level.group && outer.hasLayer(level.group)) {
                        outer.removeLayer(level.group);
                    }
                });
            }
            outer.on("add", function () { map = outer._map; map.on("zoomend", update); update(); });
            outer.on("remove", function () { map.off("zoomend", update); });
            return outer;
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        levels: list[tuple[list[list], float, float]],
        fields: list[list],
        lookup: list[str],
        style: dict,
        canvas: AreaCanvas,
        *,
        name: str,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "CanvasPoints"
        # JavaScript has no literal for infinity: a zoom no map reaches stands in.
        self.levels = [(rows, low, min(high, 99)) for rows, low, high in levels]
        self.fields = fields
        self.lookup = lookup
        self.style = style
        self.canvas = canvas
        self.pane = AREA_PANE


class Bind(MacroElement):
    """Bind a tooltip and/or popup (escaped HTML) to its parent Leaflet layer.

    Parameters
    ----------
    tooltip, popup
        HTML already escaped by the caller; ``None`` for none.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% if this.tooltip %}
        {{ this._parent.get_name() }}.bindTooltip({{ this.tooltip|tojson }}, {sticky: true});
        {% endif %}
        {% if this.popup %}
        {{ this._parent.get_name() }}.bindPopup({{ this.popup|tojson }}, {maxWidth: 360});
        {% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, *, tooltip: str | None = None, popup: str | None = None) -> None:
        super().__init__()
        self._name = "Bind"
        self.tooltip = tooltip
        self.popup = popup


class HtmlBox(MacroElement):
    """A fixed box over the map (title, legend), from HTML already escaped by the caller.

    Parameters
    ----------
    html
        The box's content.
    css_class
        ``planner-title`` or ``planner-legend`` (see the stylesheet above).
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div class="planner-box {{ this.css_class }}">{{ this.content }}</div>
        {% endmacro %}
        """
    )

    def __init__(self, html: str, css_class: str) -> None:
        super().__init__()
        self._name = "HtmlBox"
        self.content = html
        self.css_class = css_class
