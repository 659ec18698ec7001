"""Opening maps in Debian's headless Chromium (driven by Playwright) with the network blocked.

Chromium itself is started with no way out: every request goes to a proxy at 127.0.0.1:9 (the
discard port, where nothing listens) and every host name resolves to nothing
(``--host-resolver-rules``). Pages also route every request through :func:`_route`: file://
loads go through, the two Leaflet CDN addresses are answered from the vendored copies when a test
asks for a working CDN, and everything else is aborted. Each request the page makes is recorded
twice: by Playwright and by the DevTools protocol (``Network.requestWillBeSent``), so a test can
count what tried to leave the machine.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from planner.maps import assets as map_assets

CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).is_file()), None
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No network at all: a proxy that refuses everything and no name resolution.
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
NO_CHROMIUM = (
    "no chromium binary found (/usr/bin/chromium or chromium on PATH): run 'make browser' "
    "(apt-get install chromium) to run the map browser tests"
)

# Set before any page script runs: an alert() or an <img onerror> that got through would trip it.
XSS_TRAP = """
window.__xss = false;
window.alert = window.confirm = window.prompt = function () { window.__xss = true; };
"""


@dataclass
class Loaded:
    page: object
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    devtools_requests: list[str] = field(default_factory=list)
    ready_ms: float = 0.0

    def outside_requests(self) -> list[str]:
        """Requests (seen by either recorder) for anything but the file itself and data: URIs."""
        urls = self.requests + self.devtools_requests
        return sorted({u for u in urls if not u.startswith(("file://", "data:"))})


def _route(cdn_answers: bool):
    def route(route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        elif cdn_answers and url in map_assets._VENDORED:  # the CDN, played from the copy
            route.fulfill(path=str(map_assets._vendored(url)))
        else:
            route.abort()

    return route


def open_map(browser, path: Path, *, cdn_answers: bool = False, wait_ready: bool = True) -> Loaded:
    """Open ``path`` in a new 1280 x 900 page and wait until the map is drawn.

    Parameters
    ----------
    browser
        A Playwright browser.
    path
        The HTML file.
    cdn_answers
        Answer the Leaflet CDN addresses from the vendored copies (as a reachable CDN would).
    wait_ready
        Wait for ``window.plannerReadyMs`` (set once the map is drawn); a page whose scripts
        cannot load never sets it.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    loaded = Loaded(page)
    devtools = page.context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.on(
        "Network.requestWillBeSent",
        lambda event: loaded.devtools_requests.append(event["request"]["url"]),
    )
    page.route("**/*", _route(cdn_answers))
    page.add_init_script(XSS_TRAP)
    page.on("pageerror", lambda exc: loaded.page_errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: loaded.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("dialog", lambda dialog: (loaded.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: loaded.requests.append(request.url))
    page.goto(path.as_uri())
    if wait_ready:
        page.wait_for_function("window.plannerReadyMs !== undefined", timeout=30_000)
        loaded.ready_ms = page.evaluate("window.plannerReadyMs")
    return loaded


def screen_point(page, lat: float, lon: float) -> tuple[float, float]:
    """Where a place is in the page, in pixels."""
    return tuple(
        page.evaluate(
            f"(() => {{ const p = plannerMap.latLngToContainerPoint("
            f"[{lat}, {lon}]); return [p.x, p.y]; }})()"
        )
    )


def assert_no_xss(loaded: Loaded) -> None:
    assert loaded.page.evaluate("window.__xss") is False
    assert loaded.dialogs == []


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """Wait until ``expression`` is true in ``page``, polled from Python.

    Not ``page.wait_for_function``: for a string it builds its predicate with ``eval`` in the
    page, which a page whose Content-Security-Policy forbids ``'unsafe-eval'`` (report.html)
    refuses, now and then, as an EvalError; ``page.evaluate`` runs outside the page's policy.
    """
    import time

    deadline = time.perf_counter() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{expression} not true after {timeout:g} s")
        page.wait_for_timeout(25)
