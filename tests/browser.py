"""Shared by the tests: a Streamlit server on a free port, Debian's headless Chromium, PyTorch as a reference."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README_PICTURES = ROOT / "tests" / "screenshots"       # tracked: the README shows these
RUN_SCREENSHOTS = ROOT / "tests" / ".screenshots"      # git-ignored: an ordinary run leaves the tree clean
# where save_screenshot writes; tests/conftest.py points it at README_PICTURES for --refresh-screenshots
SCREENSHOTS = RUN_SCREENSHOTS
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


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


def save_screenshot(page, name: str, **options) -> None:
    """Save `page` as SCREENSHOTS/`name` (`options` go to Playwright's page.screenshot)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), **options)


def step_counter(page) -> int:
    """The Playground's "Step" metric, as a number."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Step").first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def free_port() -> int:
    """A free local port: the first free one of MLP_PORTS ("8720-8739") when set (several people share
    a machine, each with their ports), else any the system gives."""
    first, _, last = os.environ.get("MLP_PORTS", "").partition("-")
    for port in range(int(first), int(last or first) + 1) if first else ():
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_streamlit(script: str = "app.py", *options: str, launcher: tuple[str, ...] = ("-m", "streamlit"),
                    cwd=ROOT):
    """Start `streamlit run` on a free port; returns (process, base url) once /_stcore/health answers.

    `options` are more `--server.x value` pairs; `launcher` is what runs streamlit's CLI; `cwd` the
    checkout it runs (a benchmark may run an older one beside this one).
    """
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, *launcher, "run", script, "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", *options],
        cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("streamlit did not start within 60 s")


def open_page(browser, url: str, width: int = 1500, height: int = 1300, **options):
    """A new page on `url`, returned once a chart is drawn (the app has loaded and run once)."""
    page = browser.new_page(viewport={"width": width, "height": height}, **options)
    page.goto(url)
    page.wait_for_selector("div.mlp-plot .main-svg", timeout=90_000)
    return page


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
