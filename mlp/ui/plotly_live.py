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

from mlp.live.payload import chart_payload

_LOADER_JS = """
export default function ({ data }) {
  if (window.Plotly || window.__mlpPlotlyInjected) return;
  window.__mlpPlotlyInjected = true;
  const script = document.createElement("script");
  script.textContent = data.source;
  document.head.appendChild(script);
}
"""

# Compact grids arrive as uint8 codes ("zcodes"); they are expanded back to z just before drawing.
# A curve whose x is another's says so ("xFrom": that trace's index) instead of repeating it.
_CHART_JS = """
function expandGrid(g) {
  const bytes = new Uint8Array(g.codes);
  const [rows, cols] = g.shape, scale = (g.hi - g.lo) / 255, z = new Array(rows);
  // blocks (a network layer's neurons) come without their gap rows: those are blank (null)
  const block = g.block || rows, gap = g.gap || 0;
  for (let r = 0, k = 0; r < rows; r++) {
    const row = new Array(cols);
    if (r % (block + gap) >= block) row.fill(null);
    else { for (let c = 0; c < cols; c++) row[c] = g.lo + bytes[k * cols + c] * scale; k++; }
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
function expandFigure(fig) {
  for (const trace of fig.data) {
    if (trace.zcodes) { trace.z = expandGrid(trace.zcodes); delete trace.zcodes; }
    if (trace.xFrom !== undefined) { trace.x = fig.data[trace.xFrom].x; delete trace.xFrom; }
  }
  return fig;
}

function setUp(parentElement, height) {
  const div = document.createElement("div");
  div.className = "mlp-plot";
  div.style.width = "100%";
  div.style.height = height + "px";
  parentElement.appendChild(div);
  div.mlp = { queue: [], timer: null, lastBatch: 0, period: 500, visible: true, draw: null };
  // A chart scrolled out of view is not redrawn (redraws are what limits the frame rate); it
  // catches up with the newest figure as soon as it is seen again.
  new IntersectionObserver((entries) => {
    div.mlp.visible = entries[entries.length - 1].isIntersecting;
    if (div.mlp.visible && div.mlp.draw) div.mlp.draw();
  }).observe(div);
  return div;
}

// The payload (mlp/live/payload.py: chart_payload): a uint32 n, n bytes of JSON, then the binary parts
// the JSON points at as {"@bin": [offset, length]}; each becomes an ArrayBuffer of its own (plotly.js
// takes one as a typed array's bdata). A trace or layout sent as {"@prev": 1} is the previous
// frame's: the same object, which expandFigure may expand twice (it is idempotent).
function readPayload(raw) {
  const bytes = raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const tail = bytes.byteOffset + 4 + n;
  const data = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)), (key, value) => {
    const at = value && value["@bin"];
    return at ? bytes.buffer.slice(tail + at[0], tail + at[0] + at[1]) : value;
  });
  data.frames.forEach((fig, i) => {
    if (i === 0) return;
    const before = data.frames[i - 1];
    fig.data = fig.data.map((trace, j) => (trace["@prev"] ? before.data[j] : trace));
    if (fig.layout["@prev"]) fig.layout = before.layout;
  });
  return data;
}

export default function ({ data: raw, parentElement, setTriggerValue }) {
  const data = readPayload(raw);
  const div = parentElement.querySelector("div.mlp-plot") || setUp(parentElement, data.height);
  const state = div.mlp, now = performance.now();
  state.planeClicks = Boolean(data.planeClicks);
  div.classList.toggle("mlp-editing", state.planeClicks);
  // A busy server sends batches seconds apart, each with more frames: spread them over the gap. A
  // gap of 15 s or more is a pause (as in mlp/live/pace.py), nothing to go by.
  const gap = now - state.lastBatch;
  if (state.lastBatch && gap < 15000) state.period = 0.7 * state.period + 0.3 * gap;
  state.lastBatch = now;
  // batches and frames received so far, drawn or not (bench/workshop.py counts them: cheap for many tabs)
  div.dataset.batches = Number(div.dataset.batches || 0) + 1;
  div.dataset.frames = Number(div.dataset.frames || 0) + data.frames.length;
  // a new batch replaces what is left of the old one: never fall behind the server
  state.queue = data.frames.map((fig, i) => ({ fig, revision: data.revision + "." + i }));
  const spacing = state.period / data.frames.length;
  const drawNext = () => {
    state.timer = null;
    if (!state.visible) {                       // keep only the newest figure for later
      state.queue = state.queue.slice(-1);
      return;
    }
    const next = state.queue.shift();
    if (!next) return;
    const t0 = performance.now();
    const fig = expandFigure(next.fig);
    if (state.planeClicks) {
      // Editing points: a point counts as clicked only under the cursor (Plotly's default takes the
      // nearest within 20 px, which on a crowded plot is almost everywhere), and a drag must not zoom.
      fig.layout.hoverdistance = 4;
      fig.layout.dragmode = false;
    }
    window.Plotly.react(div, fig.data, fig.layout, { displaylogo: false, responsive: true });
    if (!state.clicks) {          // a click on a point that carries customdata is sent to Python
      state.clicks = true;
      div.on("plotly_click", (event) => {
        const point = event.points && event.points[0];
        if (!point) return;
        // (customdata sent as a typed array arrives as one; the trigger value must be plain JSON)
        if (point.customdata !== undefined) {
          const data = ArrayBuffer.isView(point.customdata) ? Array.from(point.customdata) : point.customdata;
          setTriggerValue("clicked", data);
        }
        // A heatmap reports the clicked cell's x and y, a marker trace the marker's: the trace's name
        // tells which ("output" is the heatmap; "train", "test" the points). `at` makes each click new.
        else if (state.planeClicks) {
          setTriggerValue("clicked", { x: point.x, y: point.y, on: point.data.name, at: Date.now() });
        }
      });
    }
    // how long a redraw takes, for bench/browser.py
    div.dataset.drawMs = (0.8 * Number(div.dataset.drawMs || 0) + 0.2 * (performance.now() - t0)).toFixed(1);
    div.dataset.revision = next.revision;
    if (state.queue.length) state.timer = setTimeout(drawNext, spacing);
  };
  state.draw = () => whenPlotlyReady(drawNext);
  if (state.timer) clearTimeout(state.timer);
  state.draw();
}
"""

_loader = st.components.v2.component("mlp_plotly_loader", js=_LOADER_JS, isolate_styles=False)
# not in a shadow root: plotly.js styles its plots (modebar, hover labels) from the document head
_chart = st.components.v2.component("mlp_live_chart", js=_CHART_JS,
                                    css=".mlp-plot { width: 100%; } .mlp-editing .nsewdrag { cursor: crosshair !important; }",
                                    isolate_styles=False)


@functools.cache
def _plotly_source() -> str:
    path = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


def load_plotly_js() -> None:
    """Put plotly.js into the page (once per browser tab); call on every full run of a page."""
    _loader(data={"source": _plotly_source()}, key="mlp_plotly_loader", height=0)


def live_chart(frames: list[dict] | dict, *, key: str, height: int = 360, revision: int = 0,
               on_click=None, plane_clicks: bool = False):
    """Draw a figure (a plain Plotly dict), or a list of successive ones, under `key`.

    Every call updates the same plot in place; a list is played back evenly until the next call.
    `revision` identifies the batch (the browser test reads it to count real updates).
    `on_click(customdata)` is called when the user clicks a point that carries customdata; with
    `plane_clicks`, any other click gives `on_click({"x", "y", "on": trace name, "at": time})`.
    """
    frames = [frames] if isinstance(frames, dict) else frames
    def clicked() -> None:
        point = st.session_state[key].get("clicked")
        if point is not None:
            on_click(point)

    _chart(data=chart_payload(frames, height, revision, plane_clicks), key=key, height=height,
           **({"on_clicked_change": clicked} if on_click else {}))
