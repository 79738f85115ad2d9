// The live chart: one plotly.js plot per key, updated in place (mlp/ui/plotly_live.py: live_chart).
// This code reaches the page once, with plotly.js (plotly_loader.js runs it as window.mlpLiveChart);
// the component's own module is a stub that hands over to it (plotly_live_stub.js), because Streamlit
// sends a component's code inline with every element on every rerun: ~8 KB per chart, 2 times a
// second, was a third of what a playing page received.
// Compact grids arrive as uint8 codes ("zcodes"); they are expanded back to z just before drawing.
// A curve whose x is another's says so ("xFrom": that trace's index) instead of repeating it.

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

// Hovering a neuron (or a feature) in the network view shows its output over the plane in the output
// view, large, as in TF Playground; leaving it brings the net's output back. The charts find each
// other through the element Streamlit wraps each in (class "st-key-chart_<name>", mlp/ui/stage_live.py).
const charts = (window.__mlpCharts = window.__mlpCharts || {});

function chartName(el) {
  const box = el.closest('[class*="st-key-chart_"]');
  const cls = box && [...box.classList].find((c) => c.startsWith("st-key-chart_"));
  return cls ? cls.slice("st-key-chart_".length) : null;
}

// One neuron's image from the network view (mlp/figures/network_view.py): each column is one heatmap,
// its units' g x g grids stacked bottom-up with blank gap rows between (unit 0 on top).
function neuronImage(net, column, unit) {
  const t = net.data && net.data.filter((d) => d.type === "heatmap")[column];
  if (!t || !t.z || !t.dx) return null;
  const g = Math.round(1 / t.dx), gap = Math.max(1, Math.round(0.3 * g));    // network_view.py: _gap_rows
  const n = Math.round((t.z.length + gap) / (g + gap)), k = n - 1 - unit;
  if (k < 0 || k >= n) return null;
  const axis = net.layout[t.coloraxis || "coloraxis"] || {};
  return { z: t.z.slice(k * (g + gap), k * (g + gap) + g), g, axis };
}

// The output view's figure with the hovered neuron's image in place of the net's output.
function withNeuron(fig) {
  const hover = window.__mlpHover, net = charts.network;
  const image = hover && net && neuronImage(net, hover.column, hover.unit);
  if (!image) return fig;
  const step = 12 / (image.g - 1);                        // the plane is [-6, 6]² (mlp.engine.datasets.DOMAIN)
  const background = { ...fig.data[0], z: image.z, x0: -6, dx: step, y0: -6, dy: step, zsmooth: "best",
    zmin: image.axis.cmin, zmax: image.axis.cmax, colorscale: image.axis.colorscale, opacity: 0.9,
    hovertemplate: "x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>" + hover.label + " %{z:.2f}<extra></extra>" };
  delete background.x; delete background.y;
  const note = { text: "<b>" + hover.label + "</b> (hovered)", xref: "paper", yref: "paper", x: 0.01, y: 0.99,
    xanchor: "left", yanchor: "top", showarrow: false, bgcolor: "rgba(255,255,255,0.85)" };
  return { data: [background, ...fig.data.slice(1)],
           layout: { ...fig.layout, annotations: [...(fig.layout.annotations || []), note] } };
}

function redrawOutput() {
  const out = charts.output;
  if (out && out.mlp.lastFig && window.Plotly) {
    const fig = withNeuron(out.mlp.lastFig);
    window.Plotly.react(out, fig.data, fig.layout, out.mlp.config);
    smoothScaling(out, fig);
    out.mlp.drawn = null;                         // the next frame is drawn whole
    out.dataset.showing = window.__mlpHover ? window.__mlpHover.label : "";
  }
}

function watchNeuronHover(div) {
  div.on("plotly_hover", (event) => {
    const point = event.points && event.points[0], id = point && point.customdata;
    if (!id || !Array.isArray(id) || (id[0] !== "neuron" && id[0] !== "feature")) return;
    // ["feature", row] in the first column; ["neuron", layer, unit from 1] after it
    const [column, unit] = id[0] === "feature" ? [0, id[1]] : [id[1], id[2] - 1];
    window.__mlpHover = { column, unit, label: String(point.text || "").split(/[:<]/)[0] };
    redrawOutput();
  });
  div.on("plotly_unhover", () => {
    // a redraw of the network (each batch, while playing) drops its hover: not the mouse leaving
    if (!window.__mlpHover || div.mlp.reacting) return;
    window.__mlpHover = null;
    redrawOutput();
  });
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

const MAX_SHARE = 0.3;     // of the page's time, what one chart's redraws may take while playing

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
  div.mlp = { queue: [], timer: null, lastBatch: 0, period: 500, visible: true, draw: null, observer: null,
              lastFig: null, config: { displayModeBar: false, responsive: true } };
  const name = chartName(parentElement);
  if (name === "network" || name === "boundary") charts[name === "boundary" ? "output" : name] = div;
  // A chart scrolled out of view is not redrawn (redraws are what limits the frame rate); it
  // catches up with the newest figure as soon as it is seen again.
  div.mlp.observer = new IntersectionObserver((entries) => {
    div.mlp.visible = entries[entries.length - 1].isIntersecting;
    if (div.mlp.visible && div.mlp.draw) div.mlp.draw();
  });
  div.mlp.observer.observe(div);
  return div;
}

// When the chart leaves the page, its timer, observer and Plotly's listeners (the click handler) go
// with it. Streamlit calls the returned cleanup when the component unmounts; the check waits a frame
// and tears down only a plot that is no longer in the document, so a call while it stays is harmless.
function tearDownWhenGone(div) {
  return () => requestAnimationFrame(() => {
    if (div.isConnected) return;
    const state = div.mlp;
    if (state.timer) clearTimeout(state.timer);
    if (state.observer) state.observer.disconnect();
    state.queue = [];
    state.draw = null;
    state.lastFig = null;
    for (const name of Object.keys(charts)) if (charts[name] === div) delete charts[name];
    if (window.Plotly) window.Plotly.purge(div);
  });
}

// The payload (mlp/live/payload.py: chart_payload): a uint32 n, n bytes of JSON, then the binary parts
// the JSON points at as {"@bin": [offset, length]}; each becomes an ArrayBuffer of its own (plotly.js
// takes one as a typed array's bdata). Every frame after the first comes as its changes from the one
// before (payload.py: _changes; `applied` is its inverse, as read_chart_payload is in Python): a
// trace or layout sent as {"@prev": 1} is the previous frame's, the same object, which expandFigure
// may expand twice (it is idempotent); a changed one is a new object, the previous left as it was.
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
    data.frames[i] = { data: fig.data.map((trace, j) => (j < before.data.length ? applied(before.data[j], trace) : trace)),
                       layout: applied(before.layout, fig.layout),
                       after: before, codesOnly: codesOnly(fig, before) };
  });
  return data;
}

// Which traces of a frame changed, when all that changed is heatmaps' codes (the boundary while
// playing: its points and layout stay); null when anything else did.
function codesOnly(change, before) {
  const same = (c) => c && typeof c === "object" && "@prev" in c;
  if (!same(change.layout) || change.data.length !== before.data.length) return null;
  const changed = [];
  for (let j = 0; j < change.data.length; j++) {
    const trace = change.data[j];
    if (same(trace)) continue;
    const patch = trace && trace["@patch"];
    if (!patch || trace["@drop"] || Object.keys(patch).some((key) => key !== "zcodes")) return null;
    changed.push(j);
  }
  return changed;
}

const CHANGE_MARKS = ["@prev", "@patch", "@items", "@ext", "@delta"];

// What a value was, from the previous frame's and its changes (payload.py: _changes, _applied).
function applied(before, change) {
  if (!change || typeof change !== "object" || Array.isArray(change) || change instanceof ArrayBuffer
      || !CHANGE_MARKS.some((mark) => mark in change)) return change;
  if ("@prev" in change) return before;
  if ("@patch" in change) {
    const out = Object.assign({}, before);
    for (const key of change["@drop"] || []) delete out[key];
    for (const [key, value] of Object.entries(change["@patch"])) out[key] = key in before ? applied(before[key], value) : value;
    return out;
  }
  if ("@items" in change) return change["@items"].map((item, i) => applied(before[i], item));
  if ("@ext" in change) {              // a curve's new points after the old ones
    const out = new Uint8Array(before.byteLength + change["@ext"].byteLength);
    out.set(new Uint8Array(before), 0);
    out.set(new Uint8Array(change["@ext"]), before.byteLength);
    return out.buffer;
  }
  const out = new Uint8Array(before.slice(0));   // "@delta": byte by byte, mod 256 (a Uint8Array wraps)
  const delta = new Uint8Array(change["@delta"]);
  for (let i = 0; i < out.length; i++) out[i] += delta[i];
  return out.buffer;
}

// The traces that changed from the frame drawn to `fig`, a later frame of the same batch, when only
// heatmaps' codes changed in between (frames skipped included); null otherwise.
function codesSince(drawn, fig) {
  const changed = new Set();
  for (let f = fig; f !== drawn; f = f.after) {
    if (!f || !f.codesOnly) return null;
    f.codesOnly.forEach((j) => changed.add(j));
  }
  return drawn ? [...changed] : null;
}

// Repainting a heatmap in place: Plotly.react redraws the whole plot (15-40 ms in software-rendered
// Chromium, the boundary's training points with it), while a heatmap with zsmooth "fast" is one
// image of one pixel per cell. So a frame whose only change is such heatmaps' values (the boundary
// 20 times a second) gets new pixels, coloured as Plotly colours them (its colour scale interpolated
// linearly in RGB between the stops, clamped at zmin and zmax; rows bottom-up), and hover reads the
// new values. Anything unusual (a reversed axis, no zmin/zmax, blocks, a missing image) returns
// false and the frame goes to Plotly.react. tests/test_plotly_live_browser.py compares the pixels.
function repaintHeatmaps(div, fig, traces) {
  const images = div.querySelectorAll("g.hm image");
  const heatmaps = fig.data.map((trace, j) => j).filter((j) => fig.data[j].type === "heatmap");
  if (images.length !== heatmaps.length || !div.calcdata) return false;
  const reversed = (axis) => axis && (axis.autorange === "reversed" || (axis.range && axis.range[0] > axis.range[1]));
  if (reversed(fig.layout.xaxis) || reversed(fig.layout.yaxis)) return false;
  const jobs = [];
  for (const j of traces) {
    const trace = fig.data[j], image = images[heatmaps.indexOf(j)], cd = div.calcdata[j] && div.calcdata[j][0];
    if (trace.type !== "heatmap" || trace.zsmooth !== "fast" || !image || !cd || !Array.isArray(trace.z)
        || typeof trace.zmin !== "number" || typeof trace.zmax !== "number" || !Array.isArray(trace.colorscale)) return false;
    jobs.push({ j, trace, image, cd });
  }
  for (const { j, trace, image, cd } of jobs) {
    image.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", heatmapImage(trace));
    cd.z = trace.z;                   // what hover reads
    div.data[j] = trace;              // what the next Plotly.react compares with
  }
  return true;
}

// A heatmap drawn with zsmooth "fast" is an image the browser scales smoothly, but Plotly leaves the
// "pixelated" style it gave the same image when it was drawn with zsmooth false (the paused page's
// finer grid): the playing boundary came out in blocks. Only the images of "fast" heatmaps are reset.
function smoothScaling(div, fig) {
  const images = div.querySelectorAll("g.hm image");
  const heatmaps = fig.data.filter((trace) => trace.type === "heatmap");
  if (images.length !== heatmaps.length) return;
  // (only that style: the same attribute holds the heatmap's opacity)
  heatmaps.forEach((trace, k) => { if (trace.zsmooth === "fast") images[k].style.removeProperty("image-rendering"); });
}

const scaleColours = new Map();       // colour scale (as JSON) -> its stops as [position, [r, g, b, a]]

function colourStops(scale) {
  const key = JSON.stringify(scale);
  if (!scaleColours.has(key)) {
    const ctx = document.createElement("canvas").getContext("2d");
    scaleColours.set(key, scale.map(([at, colour]) => {
      ctx.fillStyle = "#000";
      ctx.fillStyle = colour;         // the browser parses any CSS colour: "#rrggbb" or "rgba(r, g, b, a)"
      const css = ctx.fillStyle;
      const rgba = css[0] === "#" ? [1, 3, 5].map((k) => parseInt(css.slice(k, k + 2), 16)).concat(1)
        : css.slice(css.indexOf("(") + 1, -1).split(",").map(Number).concat(1).slice(0, 4);
      return [at, rgba];
    }));
  }
  return scaleColours.get(key);
}

function heatmapImage(trace) {
  const z = trace.z, rows = z.length, cols = z[0].length, stops = colourStops(trace.colorscale);
  const lo = trace.zmin, span = trace.zmax - trace.zmin || 1;
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d"), pixels = ctx.createImageData(cols, rows), out = pixels.data;
  for (let r = 0; r < rows; r++) {
    const row = z[r], top = (rows - 1 - r) * cols;        // the first row is the lowest y: drawn at the bottom
    for (let c = 0; c < cols; c++) {
      const v = row[c], k = (top + c) * 4;
      if (v === null || v === undefined || Number.isNaN(v)) continue;          // transparent, as Plotly
      const t = Math.min(1, Math.max(0, (v - lo) / span));
      let s = 1;
      while (s < stops.length - 1 && stops[s][0] < t) s++;
      const [a, ca] = stops[s - 1], [b, cb] = stops[s], f = b > a ? (t - a) / (b - a) : 0;
      out[k] = Math.round(ca[0] + f * (cb[0] - ca[0]));
      out[k + 1] = Math.round(ca[1] + f * (cb[1] - ca[1]));
      out[k + 2] = Math.round(ca[2] + f * (cb[2] - ca[2]));
      out[k + 3] = Math.round((ca[3] + f * (cb[3] - ca[3])) * 255);
    }
  }
  ctx.putImageData(pixels, 0, 0);
  return canvas.toDataURL("image/png");
}

function liveChart({ data: raw, parentElement, setTriggerValue }) {
  const data = readPayload(raw);
  const div = parentElement.querySelector("div.mlp-plot") || setUp(parentElement, data.height);
  const state = div.mlp, now = performance.now();
  state.planeClicks = Boolean(data.planeClicks);
  div.classList.toggle("mlp-editing", state.planeClicks);
  // A busy server sends batches seconds apart, each with more frames: spread them over the gap. A
  // longer gap than the pace's pause (mlp/live/pace.py, sent in the payload) is a pause, nothing to go by.
  const gap = now - state.lastBatch, pace = data.pace;
  if (state.lastBatch && gap < pace.pauseMs) state.period = (1 - pace.smoothing) * state.period + pace.smoothing * gap;
  state.lastBatch = now;
  // batches and frames received so far, drawn or not (bench/workshop.py counts them: cheap for many tabs)
  div.dataset.batches = Number(div.dataset.batches || 0) + 1;
  div.dataset.frames = Number(div.dataset.frames || 0) + data.frames.length;
  // A new batch replaces what is left of the old one: never fall behind the server. Each frame is
  // due at its own time, counted from the batch's arrival: a redraw, or a timer that fires late, does
  // not push the later frames back (chained timeouts lost a frame in four that way, to the next batch).
  const spacing = state.period / data.frames.length;
  state.queue = data.frames.map((fig, i) => ({ fig, revision: data.revision + "." + i, due: now + i * spacing }));
  const drawNext = () => {
    state.timer = null;
    if (!state.visible) {                       // keep only the newest figure for later
      state.queue = state.queue.slice(-1);
      return;
    }
    // the newest frame that is due: those before it, late, are skipped
    let late = 0;
    while (late + 1 < state.queue.length && state.queue[late + 1].due <= performance.now()) late++;
    const next = state.queue.splice(0, late + 1).pop();
    if (!next) return;
    const t0 = performance.now();
    const fig = expandFigure(next.fig);
    if (state.planeClicks) {
      // Editing points: a point counts as clicked only under the cursor (Plotly's default takes the
      // nearest within 20 px, which on a crowded plot is almost everywhere), and a drag must not zoom.
      fig.layout.hoverdistance = 4;
      fig.layout.dragmode = false;
    }
    state.lastFig = fig;
    // A frame that only recolours heatmaps since the one drawn is painted in place; any other, by
    // Plotly.react (no toolbar, state.config: on a live chart it covered titles, the histograms'
    // "layer 3"). The output view showing a hovered neuron is drawn whole, with that neuron's image.
    const hovered = charts.output === div && window.__mlpHover;
    const recoloured = !hovered && codesSince(state.drawn, next.fig);
    state.reacting = true;
    if (!(recoloured && repaintHeatmaps(div, fig, recoloured))) {
      const shown = charts.output === div ? withNeuron(fig) : fig;
      window.Plotly.react(div, shown.data, shown.layout, state.config);
      smoothScaling(div, shown);
    }
    state.reacting = false;
    state.drawn = hovered ? null : next.fig;        // a repaint in place needs the net's own image under it
    if (!state.clicks) {          // a click on a point that carries customdata is sent to Python
      state.clicks = true;
      if (charts.network === div) watchNeuronHover(div);
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
      // a button drawn as an annotation (the network view's + / -) carries its click as JSON in its
      // name; the time after it makes a second click on the same button a new value
      div.on("plotly_clickannotation", (event) => {
        const name = event.annotation && event.annotation.name;
        if (name) setTriggerValue("clicked", [...JSON.parse(name), Date.now()]);
      });
    }
    // how long a redraw takes, for bench/browser_frames.py
    div.dataset.drawMs = (0.8 * Number(div.dataset.drawMs || 0) + 0.2 * (performance.now() - t0)).toFixed(1);
    div.dataset.revision = next.revision;
    if (state.queue.length) {
      // A chart whose redraws are slow (a big network view: 40-60 ms in software-rendered Chromium)
      // waits so that they take at most MAX_SHARE of the page's time, skipping frames, rather than
      // starving the charts that are cheap to draw (the boundary, painted in place).
      const drawn = performance.now(), earliest = drawn + (drawn - t0) * (1 / MAX_SHARE - 1);
      state.timer = setTimeout(drawNext, Math.max(0, state.queue[0].due - drawn, earliest - drawn));
    }
  };
  state.draw = () => whenPlotlyReady(drawNext);
  if (state.timer) clearTimeout(state.timer);
  state.draw();
  return tearDownWhenGone(div);
}

window.mlpLiveChart = liveChart;
