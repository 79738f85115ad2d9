"""How the Playground and the labs look while playing, measured in Chromium: drawn chart updates per second.

    python bench/browser_frames.py                 # default page, a 6 x 8 net and the labs, 10 s of Play each, 1280 x 720
    python bench/browser_frames.py --seconds 5 --viewport 1500x1300     # every chart in view
    python bench/browser_frames.py --pages labs    # the labs alone (or: playground)

At every animation frame of the page, a counter looks at each live chart: is a plot drawn in it, and
has the figure it shows changed since the last animation frame (the component stamps each drawn
figure with a revision)? Goals: >= 10 drawn updates per second per chart, and not one animation frame
in which a chart is missing or blank. "page upd/s" counts every chart's updates together (what the
goal counts); median/worst are per chart, over the charts in view (charts scrolled out of view are
not redrawn until seen). Baseline, in the same run: how often the browser itself paints
(requestAnimationFrame callbacks per second), the ceiling for any one chart.

"KB/s": bytes the page received from the server per second while playing, as they travel (after any
WebSocket compression; mlp/harness/wire_meter.py relays and counts them). Goal: <= 64 KB/s. Below the
table, each chart's updates/s ("*" marks the charts in view, with the time one redraw takes).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from mlp.harness.wire_meter import WireMeter  # noqa: E402
from mlp.harness.playground_page import (CHROMIUM, CHROMIUM_FLAGS, open_playground, playground_server,  # noqa: E402
                                   press_play, step_counter)

GOAL_KBPS = 64
PAGES = {
    "default page": "/",
    "6 layers x 8 units": "/?hidden=8%2C8%2C8%2C8%2C8%2C8",
}
# The labs that play, on their default presets and a heavy one (30 layers of 32): their two main charts
# must move as the stage's do (>= 10 updates/s each, the busiest >= 20).
LABS = {
    "Gradient flow": "/Gradient_flow",
    "Gradient flow, 30 layers": "/Gradient_flow?preset=slow-decay",
    "Initialization": "/Initialization",
    "Compare": "/Compare",
}

COUNT_UPDATES = r"""
(seconds) => new Promise((resolve) => {
  const last = new Map(), updates = new Map();
  let frames = 0, missing = 0;
  const t0 = performance.now();
  function tick() {
    frames++;
    const plots = document.querySelectorAll("div.mlp-plot");
    let drawn = 0;
    plots.forEach((p, i) => {
      if (p.querySelector(".main-svg")) drawn++;
      const rev = p.dataset.revision;
      if (last.has(i) && last.get(i) !== rev) updates.set(i, (updates.get(i) || 0) + 1);
      last.set(i, rev);
    });
    if (plots.length === 0 || drawn < plots.length) missing++;
    if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick);
    else resolve({ frames, missing, charts: plots.length, seconds: (performance.now() - t0) / 1000,
                   updates: Array.from({ length: plots.length }, (_, i) => updates.get(i) || 0),
                   drawMs: Array.from(plots, (p) => Number(p.dataset.drawMs || 0)),
                   names: Array.from(plots, (p) => { const k = p.closest("[class*='st-key-']");
                     return k ? k.className.match(/st-key-(?:chart_)?(\w+)/)[1] : "?"; }),
                   visible: Array.from(plots, (p) => { const r = p.getBoundingClientRect();
                                                       return r.bottom > 0 && r.top < innerHeight; }) });
  }
  requestAnimationFrame(tick);
})
"""


def _steps(page) -> int:
    """The page's step counter (the Playground's, Gradient flow's caption); 0 on a page without one."""
    if not page.locator('[data-testid="stMetric"]').filter(has_text="Step").count():
        return 0                    # a lab shows its step elsewhere, or not at all: steps/s is then 0
    return step_counter(page)


def measure(page, url: str, seconds: float, meter: WireMeter) -> dict:
    open_playground(page, url)
    time.sleep(1)
    press_play(page)
    time.sleep(2)                                        # past the first batches
    steps0, bytes0 = _steps(page), meter.received
    result = page.evaluate(COUNT_UPDATES, seconds)
    steps1, bytes1 = _steps(page), meter.received
    page.get_by_role("button", name="Pause").click()
    rates = [u / result["seconds"] for u in result["updates"]]
    seen = [r for r, v in zip(rates, result["visible"]) if v]
    return {"paints/s": result["frames"] / result["seconds"], "charts": result["charts"],
            "visible": len(seen), "all updates/s": sum(rates),
            "median updates/s": statistics.median(seen) if seen else 0.0,
            "best updates/s": max(seen) if seen else 0.0,
            "worst updates/s": min(seen) if seen else 0.0, "missing frames": result["missing"],
            "steps/s": (steps1 - steps0) / result["seconds"], "KB/s": (bytes1 - bytes0) / 1024 / result["seconds"],
            "per chart": list(zip(result["names"], rates, result["visible"], result["drawMs"]))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--viewport", default="1280x720", help="WIDTHxHEIGHT of the page")
    parser.add_argument("--pages", choices=("all", "playground", "labs"), default="all")
    args = parser.parse_args()
    pages = {**(PAGES if args.pages != "labs" else {}), **(LABS if args.pages != "playground" else {})}
    width, height = (int(v) for v in args.viewport.split("x"))
    from playwright.sync_api import sync_playwright
    with playground_server() as (server, _), WireMeter(server) as meter, sync_playwright() as p:
        base = meter.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        print(f"{args.seconds:g} s of Play per page at {width}x{height}; goal >= 10 drawn updates/s for every chart "
              f"in view (the busiest >= 20), 0 frames with a chart missing, <= {GOAL_KBPS} KB/s")
        print(f"{'page':22} {'paints/s':>9} {'charts':>7} {'in view':>8} {'page upd/s':>11} "
              f"{'median upd/s':>13} {'worst upd/s':>12} {'missing':>8} {'steps/s':>8} {'KB/s':>7}")
        for name, path in pages.items():
            r = measure(page, base + path, args.seconds, meter)
            verdict = ("ok" if r["worst updates/s"] >= 10 and r["best updates/s"] >= 20 and r["missing frames"] == 0
                       and r["KB/s"] <= GOAL_KBPS else "MISS")
            print(f"{name:22} {r['paints/s']:9.1f} {r['charts']:7d} {r['visible']:8d} {r['all updates/s']:11.1f} "
                  f"{r['median updates/s']:13.1f} {r['worst updates/s']:12.1f} {r['missing frames']:8d} "
                  f"{r['steps/s']:8.0f} {r['KB/s']:7.1f}  {verdict}")
            print(" " * 23 + "  ".join(f"{n}{'*' if v else ''} {u:.1f}/s" + (f" {ms:.0f}ms" if v else "")
                                       for n, u, v, ms in r["per chart"]))
        browser.close()


if __name__ == "__main__":
    main()
