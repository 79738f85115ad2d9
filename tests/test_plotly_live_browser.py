"""The live chart's in-place repaint of a heatmap (mlp/ui/plotly_live.js: repaintHeatmaps) draws the
pixels Plotly draws for the same figure, in Chromium: plotly.js and the chart's code on a blank page
(not the app's), fed the payloads the Playground sends while playing.
"""
import base64
import os

import plotly
import pytest

from mlp.run.config import Config
from mlp.live.frame import Views, train_batch
from mlp.live.payload import chart_payload
from mlp.run.trainer import Trainer
from tests.browser import ROOT

PLOTLY_JS = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")

# Frame 0 drawn by Plotly.react in #a, then frame 1 repainted in place; frame 1 drawn by Plotly.react
# in #b. Returns both heatmap images' RGBA pixels, whether the repaint was taken, and what hover reads.
COMPARE = """async (b64) => {
  const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const frames = readPayload(raw.buffer).frames;
  const a = document.getElementById("a"), b = document.getElementById("b");
  [a, b].forEach((div) => Plotly.purge(div));
  const first = expandFigure(frames[0]), second = frames[1], codes = second.codesOnly;
  await Plotly.react(a, first.data, first.layout);
  const repainted = repaintHeatmaps(a, expandFigure(second), codes || []);
  const copy = readPayload(raw.buffer).frames[1];            // the same frame, not yet drawn anywhere
  await Plotly.react(b, expandFigure(copy).data, copy.layout);
  const pixels = async (div) => {
    const image = div.querySelector("g.hm image"), img = new Image();
    img.src = image.getAttribute("xlink:href") || image.getAttribute("href");
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return Array.from(ctx.getImageData(0, 0, canvas.width, canvas.height).data);
  };
  return { codes, repainted, mine: await pixels(a), plotly: await pixels(b),
           hover: a.calcdata[0][0].z[7][11], value: copy.data[0].z[7][11] };
}"""


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
    got = page.evaluate(COMPARE, base64.b64encode(data).decode())
    assert got["codes"] == [0] and got["repainted"]           # only the heatmap changed: painted in place
    assert len(got["mine"]) == len(got["plotly"]) == 50 * 50 * 4
    assert max(abs(m - p) for m, p in zip(got["mine"], got["plotly"])) <= 1      # rounding at most
    assert got["mine"] != [0] * len(got["mine"])
    assert got["hover"] == pytest.approx(got["value"])        # hover reads the new values


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
