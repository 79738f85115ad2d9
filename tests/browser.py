"""Shared by the browser tests: Chromium or PyTorch required (skipped locally, failed in CI), screenshots, a page
opened on the app, a chart point on screen. The server and Chromium themselves: mlp/harness/servers.py."""
from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from mlp.harness.servers import CHROMIUM, CHROMIUM_FLAGS, free_port, start_streamlit, step_counter  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
README_PICTURES = ROOT / "tests" / "screenshots"       # tracked: the README shows these
RUN_SCREENSHOTS = ROOT / "tests" / ".screenshots"      # git-ignored: an ordinary run leaves the tree clean
# where save_screenshot writes; tests/conftest.py points it at README_PICTURES for --refresh-screenshots
SCREENSHOTS = RUN_SCREENSHOTS


def require_chromium() -> None:
    """Skip locally without Chromium; in CI (CI=true) its absence is a failure, not a skip."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install chromium (see .ci/run)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")


def require_torch():
    """PyTorch, the independent reference some tests compare with; skipped locally without it, a failure
    in CI (CI=true), where .ci/run installs it."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PyTorch comparisons: pip install torch==2.13.0 (see .ci/run)")
        pytest.skip("PyTorch is not installed (pip install torch==2.13.0, CPU build)")
    return torch


# One renderer process for every tab of the app's site in the tabs' context (Chromium's default is a new
# one per tab): a tab opened there reuses the process, its V8 isolate and the code it compiled, plotly.js's
# 4.9 MB first of all. A Playground load then costs the run 3.3 CPU seconds instead of 5.9 (measured on
# a two-core machine). Contexts of their own (students with cookies of their own) keep processes of their
# own.
TABS_FLAGS = ["--process-per-site"]


class TabsBrowser:
    """The tests' Chromium. `new_page(viewport=...)` opens a tab in one context kept for the run, beside a
    tab left open on the app's site so that the renderer process outlives each test's tabs; any other
    option (downloads, ...) and `new_context` get a context of their own, as Playwright's would.

    The app's own state is its address and its server session. Streamlit keeps whether a page's sidebar
    is open in localStorage, which each new tab empties on its first load (a reload in the tab keeps it,
    as a browser's would), so that tabs in one context start as pages in their own do."""

    # sessionStorage is the tab's own: it marks a tab that has loaded once
    FRESH_TAB_JS = """if (!sessionStorage.getItem('mlpTestTab')) {
  localStorage.clear(); sessionStorage.setItem('mlpTestTab', '1');
}"""

    def __init__(self, browser, site_url: str):
        self._browser = browser
        self._tabs = browser.new_context()
        self._tabs.add_init_script(self.FRESH_TAB_JS)
        self._keeper = self._tabs.new_page()
        self._keeper.goto(site_url)

    def new_page(self, viewport: dict | None = None, **options):
        if options:
            return self._browser.new_page(viewport=viewport, **options)
        page = self._tabs.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


def save_screenshot(page, name: str, **options) -> None:
    """Save `page` as SCREENSHOTS/`name` (`options` go to Playwright's page.screenshot)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), **options)


def wait_for_steps(page, more_than: int, timeout: float = 30) -> int:
    """Wait until the Playground's step counter passes `more_than`; returns it."""
    deadline = time.time() + timeout
    while (step := _step_or_none(page)) is None or step <= more_than:
        assert time.time() < deadline, f"the step counter stayed at {step}"
        time.sleep(0.3)
    return step


def _step_or_none(page) -> int | None:
    """The step counter, or None while the page has none drawn (a page playing the heaviest net redraws
    its metrics seconds apart when another worker's pages share the CPU; CI once waited 30 s for one)."""
    try:
        return step_counter(page)
    except PlaywrightTimeoutError:
        return None


def settle_for_picture(page, ms: int) -> None:
    """Give a README picture time to settle (a hover fading, a run trained a while) when the run refreshes
    them (--refresh-screenshots); an ordinary run's screenshots are for a look, and need not wait."""
    if SCREENSHOTS == README_PICTURES:
        page.wait_for_timeout(ms)


def open_page(browser, url: str, width: int = 1500, height: int = 1300, **options):
    """A new page on `url`, returned once a chart is drawn (the app has loaded and run once)."""
    page = browser.new_page(viewport={"width": width, "height": height}, **options)
    page.goto(url)
    page.wait_for_selector("div.mlp-plot .main-svg", timeout=90_000)
    return page


# What settle() watches: whether the app is idle (not running, every plot drawn, and none on the screen
# with a frame queued or due: one off the screen keeps its newest frame until it is seen), and what would
# change while it is not: the plots' revisions, the page's height and its elements
_PAGE_STATE_JS = """() => {
  const plots = [...document.querySelectorAll('div.mlp-plot')];
  return { idle: document.querySelector('[data-testid=stStatusWidget]') === null
             && plots.every((p) => p.querySelector('.main-svg')
                                   && !(p.mlp && p.mlp.visible && (p.mlp.timer || p.mlp.queue.length))),
           look: JSON.stringify([plots.map((p) => p.dataset.revision), document.documentElement.scrollHeight,
                                 document.querySelectorAll('[data-testid=stMain] *').length]) };
}"""


def settle(page, quiet_s: float = 0.4, timeout_s: float = 60.0) -> None:
    """Wait until a page that is not playing has done what it was doing: the app not running, every plot
    drawn with nothing queued, and neither the plots nor the page's height or elements changing for
    `quiet_s`. (A fixed wait of 1.5 s did this slower, and without knowing whether it was enough.)"""
    _wait_quiet(page, _PAGE_STATE_JS, None, quiet_s, timeout_s, "the page did not settle")


def _wait_quiet(page, state_js: str, arg, quiet_s: float, timeout_s: float, failure: str) -> None:
    """Poll `state_js` ({idle, look}) until it has been idle with the same look for `quiet_s`."""
    deadline, seen, since = time.monotonic() + timeout_s, None, time.monotonic()
    while True:
        now, state = time.monotonic(), page.evaluate(state_js, arg)
        if not state["idle"] or state["look"] != seen:
            seen, since = state["look"], now
        elif now - since >= quiet_s:
            return
        if now > deadline:
            raise AssertionError(f"{failure} in {timeout_s:g} s")
        page.wait_for_timeout(100)


# Is the live chart under `selector` drawn and done: nothing queued or due, and the app not running?
_CHART_BUSY_JS = """(selector) => {
  const el = document.querySelector(selector);
  const div = el && (el.classList.contains('mlp-plot') ? el : el.querySelector('div.mlp-plot'));
  const running = document.querySelector('[data-testid=stStatusWidget]') !== null;
  return { look: div ? div.dataset.revision : null,
           idle: !(running || !div || !div.mlp || Boolean(div.mlp.timer) || div.mlp.queue.length > 0) };
}"""


def wait_until_still(page, selector: str, quiet_s: float = 1.0, timeout_s: float = 60.0) -> None:
    """Wait until the chart at `selector` has drawn its last frame and stayed so for `quiet_s`. Plotly
    drops its hover when it redraws, and a click with no hover is no click: a test that hovers and
    clicks a point must first let the frames still queued from a paused run, or a rerun, be drawn."""
    _wait_quiet(page, _CHART_BUSY_JS, selector, quiet_s, timeout_s, f"{selector} still redrawing")


# Where point i of a chart's trace is drawn, in page pixels, from the plot's own axes (_fullData: the
# traces as drawn, typed arrays decoded), with its customdata if it has any.
_POINT_JS = """([selector, name, i]) => {
  const gd = document.querySelector(selector), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const t = gd._fullData.find((d) => d.name === name), box = gd.getBoundingClientRect();
  return { x: box.left + xa._offset + xa.d2p(t.x[i]), y: box.top + ya._offset + ya.d2p(t.y[i]),
           customdata: t.customdata ? Array.from(t.customdata[i]) : null };
}"""


def point_on_screen(page, selector: str, trace: str, index: int) -> dict:
    """{"x", "y", "customdata"} of point `index` of the trace named `trace` in the chart at `selector`."""
    return page.evaluate(_POINT_JS, [selector, trace, index])


def on_screen(page, locator) -> bool:
    """Is the element wholly on the screen, as it is, without scrolling?"""
    box, view = locator.bounding_box(), page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= view["width"]
            and box["y"] + box["height"] <= view["height"])


# Every text the page cuts to an ellipsis (Streamlit cuts a button's label on a wrapper of its <p>, so the
# test looks at whatever element carries text-overflow: ellipsis).
CUT_LABELS = """() => [...document.querySelectorAll('[data-testid=stMain] *')].filter((el) => {
    const style = getComputedStyle(el);
    return style.textOverflow === 'ellipsis' && el.offsetParent && el.clientWidth > 0
      && el.scrollWidth > el.clientWidth + 1;
  }).map((el) => el.textContent)"""


def cut_labels(page) -> list[str]:
    """Every text cut to an ellipsis in the main area: buttons, links, labels."""
    return page.evaluate(CUT_LABELS)


def resize(page, width: int, height: int) -> None:
    """The same page on another screen. The pages' sizes are CSS (viewport units) and their charts are
    Plotly's responsive ones, so a resize lays a page out as one opened at that size would be
    (test_click_through_browser.py opens one at 1920 x 1080 to compare)."""
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(150)                # the resize event, and Plotly's handler's 100 ms debounce
    page.wait_for_function(_PLOTS_FIT_JS, timeout=20_000)


# Every plot on view that sizes itself to its box (responsive, no width of its own) is laid out at its
# box's width: Plotly has handled the resize (on a quiet machine 100-150 ms after it; a fixed wait of
# 800 ms cost the suite half a minute).
_PLOTS_FIT_JS = """() => [...document.querySelectorAll('div.mlp-plot')].every((gd) =>
  !gd._fullLayout || !gd.offsetParent || (gd.layout && gd.layout.width)
  || Math.abs(gd._fullLayout.width - gd.getBoundingClientRect().width) < 1.5)"""


def with_port(url: str, base: str) -> str:
    """`url` on `base`'s host and port: a link printed by one server, opened on its successor."""
    return urlunsplit(urlsplit(url)._replace(netloc=urlsplit(base).netloc))


def run_async(coroutine):
    """asyncio.run(coroutine) in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread for the whole session, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
