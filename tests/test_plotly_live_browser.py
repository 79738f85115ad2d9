"""The live chart's in-place repaint of a playing frame (mlp/ui/plotly_live.js: paintInPlace) draws what
Plotly draws for the same figure, in Chromium: plotly.js and the chart's code on a blank page
(not the app's), fed the payloads the Playground sends while playing.
"""
import base64
import os
import re

import numpy as np

import plotly
import pytest

from mlp.run.config import Config
from mlp.live.frame import Views, train_batch
from mlp.live.payload import chart_payload
from mlp.run.trainer import Trainer
from tests.browser import ROOT

PLOTLY_JS = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")

# Frame 0 drawn by Plotly.react in #a, then frame 1 painted in place; frame 1 drawn by Plotly.react in #b.
# Returns what each shows: its heatmaps' RGBA pixels, every line trace's segments (in pixels), every
# marker's fill, every annotation's text and box, and what hover says over a chosen point.
COMPARE = """async ([b64, hoverTrace]) => {
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const frames = readPayload(raw.buffer).frames;
  const a = document.getElementById("a"), b = document.getElementById("b");
  [a, b].forEach((div) => Plotly.purge(div));
  const first = expandFigure(frames[0]), second = expandFigure(frames[1]);
  await Plotly.react(a, first.data, structuredClone(first.layout));
  const changes = figureChanges(first, second);
  const painted = paintInPlace(a, second, changes);
  const copy = expandFigure(readPayload(raw.buffer).frames[1]);        // the same frame, not yet drawn anywhere
  await Plotly.react(b, copy.data, structuredClone(copy.layout));
  const pixels = async (image) => {
    const img = new Image();
    img.src = image.getAttribute("xlink:href") || image.getAttribute("href");
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
  };
  const hover = (div) => {
    if (hoverTrace < 0) return null;
    Plotly.Fx.hover(div, [{ curveNumber: hoverTrace, pointNumber: 1 }]);
    const label = div.querySelector(".hoverlayer .hovertext");
    return label ? label.textContent : null;
  };
  const shown = async (div) => ({
    images: await Promise.all(Array.from(div.querySelectorAll("g.hm image"), pixels)),
    lines: Array.from(div.querySelectorAll(".scatterlayer g.trace"), (g) =>
      Array.from(g.querySelectorAll("path.js-line"), (p) => p.getAttribute("d")).join("")),
    fills: Array.from(div.querySelectorAll("path.point"), (p) => getComputedStyle(p).fill + " " + getComputedStyle(p).fillOpacity),
    points: Array.from(div.querySelectorAll(".scatterlayer path.point"), (p) => p.getAttribute("transform") || ""),
    notes: Array.from(div.querySelectorAll("g.annotation"), (g) => {
      const r = g.querySelector("rect.bg").getBoundingClientRect(), t = g.querySelector("text").getBoundingClientRect();
      return { text: g.textContent, fill: getComputedStyle(g.querySelector("rect.bg")).fill,
               box: [r.left + r.width / 2, r.width, t.left + t.width / 2] };
    }),
    hover: hover(div),
  });
  return { changes, painted, mine: await shown(a), plotly: await shown(b),
           heatmapHover: second.data[0].type === "heatmap" ? [a.calcdata[0][0].z, copy.data[0].z].map((z) =>
             z[Math.min(7, z.length - 1)][Math.min(11, z[0].length - 1)]) : null };
}"""


def segments(d: str) -> list[tuple[float, ...]]:
    """A line path's segments ("M1,2L3,4M…"), sorted: Plotly draws one path a segment, the painter one a trace."""
    points = [tuple(float(v) for v in p.split(",")) for p in re.split("[ML]", d) if p]
    starts = [m.start() for m in re.finditer("[ML]", d)]
    kinds = [d[i] for i in starts]
    out, current = [], []
    for kind, point in zip(kinds, points):
        if kind == "M" and current:
            out.append(tuple(current))
            current = []
        current += point
    if current:
        out.append(tuple(current))
    return sorted(out)


def assert_drawn_alike(mine: dict, plotly_: dict) -> None:
    assert len(mine["images"]) == len(plotly_["images"])
    for m, p in zip(mine["images"], plotly_["images"]):
        assert len(m) == len(p) and max(abs(a - b) for a, b in zip(m, p)) <= 1         # rounding at most
    assert len(mine["lines"]) == len(plotly_["lines"])
    for m, p in zip(mine["lines"], plotly_["lines"]):
        ms, ps = segments(m), segments(p)
        assert len(ms) == len(ps) and all(np.allclose(a, b, atol=0.02) for a, b in zip(ms, ps))
    assert mine["fills"] == plotly_["fills"]
    centres = [[[float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", t)] for t in shown["points"]]
               for shown in (mine, plotly_)]
    assert len(centres[0]) == len(centres[1]) and all(np.allclose(a, b, atol=0.02) for a, b in zip(*centres))
    assert len(mine["notes"]) == len(plotly_["notes"])
    for m, p in zip(mine["notes"], plotly_["notes"]):
        assert m["text"] == p["text"] and m["fill"] == p["fill"]
        assert np.allclose(m["box"], p["box"], atol=1.0)            # within a pixel
    assert mine["hover"] == plotly_["hover"]


@pytest.fixture(scope="module")
def page(browser):
    """A blank page of the browser tests' Chromium (tests/conftest.py) with plotly.js and the chart's code."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.set_content("<div id=a style='width:500px;height:420px'></div><div id=b style='width:500px;height:420px'></div>")
    page.add_script_tag(path=PLOTLY_JS)
    page.add_script_tag(content=(ROOT / "mlp" / "ui" / "plotly_live.js").read_text(encoding="utf-8"))
    yield page
    page.close()


@pytest.mark.parametrize("settings", [{}, {"dataset": "plane", "output": "linear"},
                                      {"dataset": "blobs"}], ids=["binary", "regression", "classes"])
def test_a_boundary_frame_is_repainted_as_plotly_draws_it(page, settings):
    trainer = Trainer(Config(**settings))
    batch = train_batch(trainer, Views(), n_frames=2, steps_per_frame=20, budget_s=0.01)
    boundaries = [frame["boundary"] for frame in batch.frames]
    data = chart_payload(boundaries, 420, 1)
    got = page.evaluate(COMPARE, [base64.b64encode(data).decode(), -1])
    assert got["changes"] == [["data", 0, "z"]] and got["painted"]     # only the heatmap changed: painted in place
    assert len(got["mine"]["images"][0]) == 50 * 50 * 4 and set(got["mine"]["images"][0]) != {0}
    assert_drawn_alike(got["mine"], got["plotly"])
    assert got["heatmapHover"][0] == pytest.approx(got["heatmapHover"][1])        # hover reads the new values


@pytest.mark.parametrize("hidden", [(4, 2), (8,) * 6], ids=["default", "6x8"])
def test_a_playing_network_frame_is_painted_as_plotly_draws_it(page, hidden):
    """The network view's playing frames (the neurons' images, the links, the biases, the |δ| strip) are
    painted in place, not by Plotly.react (50-90 ms each), and look as Plotly draws them: two frames
    far enough apart that links change width class, the strip its words, and every layer its images."""
    trainer = Trainer(Config(hidden=hidden, seed=3))
    first = train_batch(trainer, Views(), n_frames=1, steps_per_frame=1, budget_s=0.01).frames[0]["network"]
    trainer.run(150)
    second = train_batch(trainer, Views(), n_frames=1, steps_per_frame=1, budget_s=0.01).frames[0]["network"]
    names = [t.get("name") for t in second["data"]]
    data = chart_payload([first, second], 420, 1)
    got = page.evaluate(COMPARE, [base64.b64encode(data).decode(), names.index("weights")])
    assert got["painted"]
    changed = {tuple(c[:3]) for c in got["changes"]}
    assert {("data", names.index("biases"), "marker"), ("data", names.index("weights"), "marker")} <= changed
    assert sum(1 for c in changed if c[0] == "data" and c[2] == "x") >= 2           # links moved between traces
    assert sum(1 for c in changed if c[2] == "z") == len(hidden) + 2                # every layer's images
    assert any(c[:2] == ["layout", "annotations"] and c[3] == "text" for c in got["changes"])   # the strip's words
    assert_drawn_alike(got["mine"], got["plotly"])
    assert got["mine"]["hover"].startswith("w = ")                  # the link's new weight


@pytest.mark.parametrize("fixed", [False, True], ids=["autoranged", "fixed axes"])
def test_moving_lines_are_painted_only_on_axes_that_stay(page, fixed):
    """A line's new points can be painted in place only on axes whose ranges stay: on autoranged axes
    the frame goes to Plotly.react, which rescales them (painted, the lines ran off the plot)."""
    ranges = {"xaxis": {"range": [0, 40]}, "yaxis": {"range": [0, 2]}} if fixed else {}

    def segments_to(n):             # separate segments (as the network's links), the last one reaching x = n
        x = [v for k in range(0, n, 5) for v in (k, k + 5, None)]
        y = [v for k in range(0, n, 5) for v in (0.5, 1 + k / n, None)]
        return {"data": [{"type": "scatter", "mode": "lines", "x": x, "y": y}], "layout": {"width": 400, **ranges}}

    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([segments_to(10), segments_to(30)], 420, 1)).decode(), -1])
    assert {tuple(c[:3]) for c in got["changes"]} == {("data", 0, "x"), ("data", 0, "y")}
    assert got["painted"] == fixed
    if fixed:
        assert_drawn_alike(got["mine"], got["plotly"])


@pytest.mark.parametrize("steps_per_frame", [(7,), (5, 9)], ids=["evenly spaced steps", "steps as a list"])
def test_a_playing_loss_chart_moves_only_its_lines_and_is_painted_as_plotly_draws_it(page, steps_per_frame):
    """The Playground's loss chart while playing: its axes end on rungs (mlp/figures/axes.py: stepped_end),
    so two frames within one rung change only the curves, which are painted in place (x as x0 and dx,
    or as whole-number steps) and look as Plotly draws them."""
    trainer = Trainer(Config(seed=5))

    def play(n_frames):                     # frames as a playing page records them, the last one's loss chart
        for i in range(n_frames):
            frame = train_batch(trainer, Views(), n_frames=1, steps_per_frame=steps_per_frame[i % len(steps_per_frame)],
                                budget_s=0.01).frames[0]
        return frame["loss"]

    one, two = play(60), play(3)             # steps 420 and 441, or 420 and 439: the step axis ends at 500
    assert one["layout"]["xaxis"]["range"] == two["layout"]["xaxis"]["range"] == [0, 500]
    assert one["layout"]["yaxis"]["range"] == two["layout"]["yaxis"]["range"]
    assert ("x" in two["data"][0]) == (len(steps_per_frame) > 1)
    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([one, two], 420, 1)).decode(), -1])
    assert got["painted"] and all(c[0] == "data" for c in got["changes"]), got["changes"]
    assert_drawn_alike(got["mine"], got["plotly"])


def test_a_playing_initialization_race_on_its_log_axis_is_painted_as_plotly_draws_it(page):
    """The Initialization lab's race (training loss per scheme, log axis): its axes end on a rung and on
    whole decades, so two frames a few steps apart change only the curves, painted in place as Plotly
    draws them on the log axis, a diverged scheme's gap included."""
    from mlp.figures.initialization_figures import loss_comparison_figure

    def race(n):                    # two schemes' losses over n recorded steps, one of them overflowing
        steps = np.arange(0, n * 5, 5)
        falling, wild = 0.7 * np.exp(-steps / 300.0), np.where(steps < 200, 0.7 + steps / 100.0, np.nan)
        return loss_comparison_figure([("He", "#1f77b4", steps, falling), ("N(0, 1)", "#d62728", steps, wild)])

    one, two = race(82), race(86)                  # steps 405 and 425: the step axis ends at 500 for both
    assert one["layout"]["xaxis"]["range"] == two["layout"]["xaxis"]["range"] == [0, 500]
    assert one["layout"]["yaxis"]["range"] == two["layout"]["yaxis"]["range"] == [-1, 1]
    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([one, two], 420, 1)).decode(), -1])
    assert got["painted"] and all(c[0] == "data" for c in got["changes"]), got["changes"]
    assert_drawn_alike(got["mine"], got["plotly"])


SMOOTHED = """async (b64) => {
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const fig = expandFigure(readPayload(raw.buffer).frames[0]);
  const a = document.getElementById("a");
  Plotly.purge(a);
  await Plotly.react(a, fig.data, fig.layout);
  smoothScaling(a, fig);
  const image = a.querySelector("g.hm image");
  return { opacity: getComputedStyle(image).opacity, rendering: image.style.imageRendering,
           wanted: fig.data[0].opacity };
}"""


def test_a_smoothed_boundary_keeps_its_opacity(page):
    """Smoothing the playing boundary's image once dropped its whole style, and with it the opacity
    that keeps the background paler than the points (they vanished into it while playing)."""
    trainer = Trainer(Config())
    batch = train_batch(trainer, Views(), n_frames=2, steps_per_frame=20, budget_s=0.01)
    got = page.evaluate(SMOOTHED, base64.b64encode(chart_payload([batch.frames[0]["boundary"]], 420, 1)).decode())
    assert got["rendering"] != "pixelated"
    assert float(got["opacity"]) == pytest.approx(got["wanted"]) and got["wanted"] < 1


def test_a_playing_gradient_flow_chart_moves_its_lines_and_markers_as_plotly_draws_them(page):
    """The Gradient flow lab's per-layer chart while playing (lines with a marker a layer, log axis):
    its axis spans whole decades, so two frames whose values stay within them change only the points,
    painted in place (lines and markers) as Plotly draws them, and hover reads the new values."""
    from mlp.figures.gradient_flow_figures import gradient_flow_figure
    start = dict(init_grad_norm=np.array([3e-3, 2e-2, 1.5e-1]), init_delta=np.array([2e-4, 3e-3, 4e-2]))
    one = gradient_flow_figure([3e-3, 2e-2, 1.5e-1], [2e-4, 3e-3, 4e-2], update_ratio=[1e-3, 2e-3, 3e-3], **start)
    two = gradient_flow_figure([4e-3, 1e-2, 2e-1], [5e-4, 2e-3, 6e-2], update_ratio=[2e-3, 4e-3, 5e-3], **start)
    assert one["layout"]["yaxis"]["range"] == two["layout"]["yaxis"]["range"] == [-4, 0]     # 10⁻⁴ .. 1
    delta = [t["name"] for t in two["data"]].index("mean |δ[l]|")
    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([one, two], 420, 1)).decode(), delta])
    assert got["painted"] and all(c[0] == "data" for c in got["changes"]), got["changes"]
    assert len(got["mine"]["points"]) == 9                             # three lines of three layers
    assert_drawn_alike(got["mine"], got["plotly"])
    assert "0.002" in got["mine"]["hover"]                             # layer 2's new mean |δ|


def test_a_playing_layer_by_step_map_is_repainted_as_plotly_draws_it(page):
    """The Gradient flow lab's layer × step map while playing: equal columns from step 0 to the rung above
    the last step, those not reached yet blank, so two frames within one rung change only the values,
    repainted in place (one pixel a cell, unsmoothed, as Plotly draws even cells) as Plotly draws them."""
    from mlp.figures.gradient_flow_figures import layer_step_heatmap_figure
    rng = np.random.default_rng(0)
    history = 10.0 ** rng.uniform(-6, -1, size=(200, 5))           # 200 records of 5 layers' mean |δ|

    def map_at(n):                                                   # the map after n records, 3 steps apart
        return layer_step_heatmap_figure(np.arange(n) * 3, history[:n], compact=True, playing=True)

    one, two = map_at(150), map_at(160)                              # steps 447 and 477: both end at 500
    assert one["layout"]["xaxis"]["range"] == two["layout"]["xaxis"]["range"] == [0, 500]
    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([one, two], 420, 1)).decode(), -1])
    assert got["changes"] == [["data", 0, "z"]] and got["painted"], got["changes"]
    image = np.array(got["mine"]["images"][0]).reshape(5, 128, 4)
    assert (image[:, :120, 3] == 255).all() and (image[:, 123:, 3] == 0).all()   # reached: drawn; not yet: blank
    assert_drawn_alike(got["mine"], got["plotly"])
    assert got["heatmapHover"][0] == pytest.approx(got["heatmapHover"][1])


def test_a_playing_initialization_spread_moves_its_lines_and_markers_as_plotly_draws_them(page):
    """The Initialization lab's spread chart while playing (a line with a marker a layer per scheme, the
    same at step 0 dotted, log axis over whole decades): two frames within the decades are painted in
    place as Plotly draws them, and hover reads the new values."""
    from mlp.figures.initialization_figures import layer_spread_figure
    start = [("He", "#1f77b4", [0.9, 0.8, 0.7]), ("small", "#d62728", [2e-2, 4e-4, 8e-6])]

    def spread(he, small):
        return layer_spread_figure([("He", "#1f77b4", he), ("small", "#d62728", small)], at_start=start)

    one, two = spread([0.8, 0.7, 0.6], [3e-2, 5e-4, 9e-6]), spread([0.7, 0.75, 0.5], [4e-2, 6e-4, 2e-5])
    assert one["layout"]["yaxis"]["range"] == two["layout"]["yaxis"]["range"] == [-6, 1]     # 0.9: a decade's headroom
    he = [t["name"] for t in two["data"]].index("He")
    got = page.evaluate(COMPARE, [base64.b64encode(chart_payload([one, two], 420, 1)).decode(), he])
    assert got["painted"] and all(c[0] == "data" for c in got["changes"]), got["changes"]
    assert len(got["mine"]["points"]) == 6                             # two schemes of three layers
    assert_drawn_alike(got["mine"], got["plotly"])
    assert "0.75" in got["mine"]["hover"]                              # He's new spread at layer 2
