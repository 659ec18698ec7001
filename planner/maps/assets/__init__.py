"""The scripts and stylesheets a plan map loads, and their offline (inlined) form.

Maps reference only Leaflet (see :mod:`planner.maps.assets.build_assets` for why). By default the
committed copy under ``planner/maps/assets/leaflet/`` is written into the page itself, with the
few PNG images its stylesheet uses turned into ``data:`` URIs, so the HTML file opens with no
network at all; a map drawn with ``cdn=True`` links the jsDelivr CDN instead.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent

LEAFLET_VERSION = "1.9.3"
LEAFLET_JS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.js"
LEAFLET_CSS_URL = f"https://cdn.jsdelivr.net/npm/leaflet@{LEAFLET_VERSION}/dist/leaflet.css"

#: (name, url) pairs in folium's ``default_js`` / ``default_css`` format.
MAP_JS: list[tuple[str, str]] = [("leaflet", LEAFLET_JS_URL)]
MAP_CSS: list[tuple[str, str]] = [("leaflet_css", LEAFLET_CSS_URL)]

#: CDN address -> committed copy (relative to this folder).
_VENDORED = {
    LEAFLET_JS_URL: "leaflet/leaflet.js",
    LEAFLET_CSS_URL: "leaflet/leaflet.css",
}

_CSS_URL = re.compile(r"url\((['\"]?)(images/[\w.-]+\.png)\1\)")


def _vendored(url: str) -> Path:
    try:
        return ASSETS_DIR / _VENDORED[url]
    except KeyError:
        raise KeyError(
            f"{url} has no vendored copy: add it to planner/maps/assets/build_assets.py "
            "and to planner.maps.assets._VENDORED before drawing offline maps with it"
        ) from None


@cache
def inline_script(url: str) -> str:
    """A ``<script>`` element holding the vendored copy of ``url``."""
    code = _vendored(url).read_text(encoding="utf-8")
    # A literal "</script" inside the code would end the element early.
    code = code.replace("</script", "<\\/script")
    return f"<script>/* {url} (vendored) */\n{code}\n</script>"


@cache
def inline_stylesheet(url: str) -> str:
    """A ``<style>`` element holding the vendored copy of ``url``, its images as data URIs."""
    path = _vendored(url)
    css = path.read_text(encoding="utf-8")

    def data_uri(match: re.Match) -> str:
        image = (path.parent / match.group(2)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(image).decode()})"

    css = _CSS_URL.sub(data_uri, css).replace("</style", "<\\/style")
    return f"<style>/* {url} (vendored) */\n{css}\n</style>"
