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
</style>
"""


def round_geometry(geom, digits: int = 4):
    """Round a geometry's coordinates (4 decimals of a degree is about 10 m): smaller pages."""
    return shapely.transform(geom, lambda xy: np.round(xy, digits))


class PlannerMap(folium.Map):
    """A folium ``Map`` that loads only Leaflet, inlined into the page when ``offline``.

    Parameters
    ----------
    offline
        Write Leaflet's script and stylesheet into the HTML instead of linking the CDN.
    **kwargs
        Passed to :class:`folium.Map`.
    """

    def __init__(self, *, offline: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.offline = offline
        # folium links jQuery, Bootstrap, Font Awesome and awesome-markers by default; nothing on
        # a plan map uses them, and each is a request (or ~100 KB inlined) for nothing.
        self.default_js = list(map_assets.MAP_JS)
        self.default_css = list(map_assets.MAP_CSS)

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        if self.offline:
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
        else:
            super().render(**kwargs)
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
    """Records in ``window.plannerReadyMs`` when the map is drawn: all layers added and the next
    frame painted (milliseconds since navigation started; read by the load-time tests).

    Must be the last element added to the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.whenReady(function () {
            requestAnimationFrame(function () { window.plannerReadyMs = performance.now(); });
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
    """Many small circle markers on the shared canvas, from compact rows.

    Each row is ``[lat, lon, radius, title, value_1, value_2, ...]``; the tooltip and popup are
    ``<b>title</b>`` followed by one line per entry of ``fields``. Text values must already be
    escaped HTML. Labels and lookups are sent once rather than once per point, which keeps a
    5,000-zone layer to a few hundred kilobytes.

    Parameters
    ----------
    rows
        The points.
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
            var rows = {{ this.rows|tojson }};
            var fields = {{ this.fields|tojson }};
            var lookup = {{ this.lookup|tojson }};
            var style = {{ this.style|tojson }};
            var group = L.featureGroup();
            function describe(r) {
                var html = "<b>" + r[3] + "</b>";
                fields.forEach(function (f) {
                    var v = r[f[1]];
                    if (v === null || v === "") { return; }
                    html += "<br>" + f[0] + ": " + (f[2] ? lookup[v] : v);
                });
                return html;
            }
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
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: list[list],
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
        self.rows = rows
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
