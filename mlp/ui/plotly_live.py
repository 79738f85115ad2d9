"""Plotly charts that update in place: one plotly.js plot per chart, redrawn with Plotly.react.

`st.plotly_chart` remounts its chart whenever the data changes (flicker, lost zoom: streamlit issues
#8782, #5107), which ruins an animation. This component keeps one plot per key and hands each new
figure to Plotly.react, which diffs it against what is drawn. plotly.js itself comes from the plotly
Python package and is sent to the browser once (`load_plotly_js`); Streamlit caches large messages
by hash, so later reruns send only a reference.
"""
from __future__ import annotations

import functools
import os

import plotly
import streamlit as st

_LOADER_JS = """
export default function ({ data }) {
  if (window.Plotly || window.__mlpPlotlyInjected) return;
  window.__mlpPlotlyInjected = true;
  const script = document.createElement("script");
  script.textContent = data.source;
  document.head.appendChild(script);
}
"""

# Compact grids arrive as base64 uint8 ("zb64"); they are expanded back to z before drawing.
_CHART_JS = """
function expandGrid(g) {
  const bytes = Uint8Array.from(atob(g.b64), (c) => c.charCodeAt(0));
  const [rows, cols] = g.shape, scale = (g.hi - g.lo) / 255, z = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = new Array(cols);
    for (let c = 0; c < cols; c++) row[c] = g.lo + bytes[r * cols + c] * scale;
    z[r] = row;
  }
  return z;
}

function whenPlotlyReady(draw) {
  if (window.Plotly) { draw(); return; }
  const started = performance.now();
  const wait = () => {
    if (window.Plotly) draw();
    else if (performance.now() - started < 20000) requestAnimationFrame(wait);
  };
  requestAnimationFrame(wait);
}

// Each rerun may bring several frames (the server trains ahead in small chunks); they are played
// back evenly over the time until the next batch is expected, so the chart moves more often than
// Streamlit reruns the fragment.
export default function ({ data, parentElement }) {
  let div = parentElement.querySelector("div.mlp-plot");
  if (!div) {
    div = document.createElement("div");
    div.className = "mlp-plot";
    div.style.width = "100%";
    div.style.height = data.height + "px";
    parentElement.appendChild(div);
    div.mlp = { queue: [], timer: null, lastBatch: 0, period: 150 };
  }
  const state = div.mlp, now = performance.now();
  if (state.lastBatch) state.period = 0.7 * state.period + 0.3 * Math.min(now - state.lastBatch, 1000);
  state.lastBatch = now;
  const frames = data.frames.map((fig) => {
    for (const trace of fig.data) {
      if (trace.zb64) { trace.z = expandGrid(trace.zb64); delete trace.zb64; }
    }
    return fig;
  });
  // a new batch replaces what is left of the old one: never fall behind the server
  state.queue = frames.map((fig, i) => ({ fig, revision: data.revision + "." + i }));
  const spacing = state.period / frames.length;
  const drawNext = () => {
    state.timer = null;
    const next = state.queue.shift();
    if (!next) return;
    window.Plotly.react(div, next.fig.data, next.fig.layout, { displaylogo: false, responsive: true });
    div.dataset.revision = next.revision;
    if (state.queue.length) state.timer = setTimeout(drawNext, spacing);
  };
  if (state.timer) clearTimeout(state.timer);
  whenPlotlyReady(drawNext);
}
"""

_loader = st.components.v2.component("mlp_plotly_loader", js=_LOADER_JS, isolate_styles=False)
# not in a shadow root: plotly.js styles its plots (modebar, hover labels) from the document head
_chart = st.components.v2.component("mlp_live_chart", js=_CHART_JS, css=".mlp-plot { width: 100%; }",
                                    isolate_styles=False)


@functools.cache
def _plotly_source() -> str:
    path = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_plotly_js() -> None:
    """Put plotly.js into the page (once per browser tab); call on every full run of a page."""
    _loader(data={"source": _plotly_source()}, key="mlp_plotly_loader", height=0)


def live_chart(frames: list[dict] | dict, *, key: str, height: int = 360, revision: int = 0) -> None:
    """Draw a figure (a plain Plotly dict), or a list of successive ones, under `key`.

    Every call updates the same plot in place; a list is played back evenly until the next call.
    `revision` identifies the batch (the browser test reads it to count real updates).
    """
    frames = [frames] if isinstance(frames, dict) else frames
    _chart(data={"frames": frames, "height": height, "revision": revision}, key=key, height=height)
