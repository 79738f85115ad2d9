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
  // a grid may hold values in its first "filled" columns only (a run's history so far): the rest blank
  const filled = g.filled === undefined ? cols : g.filled;
  for (let r = 0, k = 0; r < rows; r++) {
    const row = new Array(cols).fill(null);
    if (r % (block + gap) < block) { for (let c = 0; c < filled; c++) row[c] = g.lo + bytes[k * cols + c] * scale; k++; }
    z[r] = row;
  }
  return z;
}

// Hovering a neuron (or a feature) in the network view shows its output over the plane in the output
// view, large, as in TF Playground; leaving it brings the net's output back. The charts find each
// other through the element Streamlit wraps each in (class "st-key-chart_<name>", mlp/ui/stage_live.py).
const charts = (window.__mlpCharts = window.__mlpCharts || {});

// The figure each chart's last payload left ({id, fig}: readPayload), by the chart's key: kept on the
// window, not on the plot, so that a chart Streamlit mounts anew (a lab's layout changes on Play)
// still continues from it, as the server expects.
const heldFigures = (window.__mlpHeld = window.__mlpHeld || new Map());

function chartKey(el) {
  const box = el.closest('[class*="st-key-"]');
  return (box && [...box.classList].find((c) => c.startsWith("st-key-"))) || el;
}

function chartName(el) {
  const key = chartKey(el);
  return typeof key === "string" && key.startsWith("st-key-chart_") ? key.slice("st-key-chart_".length) : null;
}

// One neuron's image from the network view (mlp/figures/network_view.py): each column is one heatmap,
// its units' g x g grids stacked bottom-up with blank gap rows between (unit 0 on top).
function neuronImage(net, column, unit) {
  const fig = net.mlp.lastFig;
  const t = fig && fig.data.filter((d) => d.type === "heatmap")[column];
  if (!t || !t.z || !t._blocks) return null;
  const { block: g, gap } = t._blocks;          // as the payload's codes said (expandFigure)
  const n = Math.round((t.z.length + gap) / (g + gap)), k = n - 1 - unit;
  if (k < 0 || k >= n) return null;
  const axis = fig.layout[t.coloraxis || "coloraxis"] || {};
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
    window.Plotly.react(out, fig.data, layoutToDraw(fig.layout), out.mlp.config);    // (see drawNext)
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

// What Plotly.react is given of a frame's layout: a copy (plotly.js writes into the layout it draws,
// "type", "domain" and computed ranges into its axes, and the next frame is compared with this one's
// own), with every axis that has no range of its own told to autorange. Left implicit, a playing
// chart now and then lost its autorange between two redraws and stayed at plotly.js's default range
// (0.1 to 10⁴ on a log axis), its lines off the plot.
function layoutToDraw(layout) {
  const copy = structuredClone(layout);
  for (const [key, axis] of Object.entries(copy)) {
    if (/^[xy]axis\d*$/.test(key) && axis && typeof axis === "object" && axis.range === undefined
        && axis.autorange === undefined) axis.autorange = true;
  }
  return copy;
}

// Each rerun may bring several frames (the server trains ahead in small chunks); they are played
// back evenly over the time until the next batch is expected, so the chart moves more often than
// Streamlit reruns the fragment.
function expandFigure(fig) {
  for (const trace of fig.data) {
    if (trace.zcodes) {
      const { block, gap } = trace.zcodes;
      // where a layer's neurons are in its grid, for neuronImage: kept out of what Plotly and the
      // frame comparison see (not enumerable)
      if (block) Object.defineProperty(trace, "_blocks", { value: { block, gap: gap || 0 }, enumerable: false });
      trace.z = expandGrid(trace.zcodes);
      delete trace.zcodes;
    }
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
// takes one as a typed array's bdata). Every frame comes as its changes from the one before
// (payload.py: _changes; `applied` is its inverse, as read_chart_payload is in Python), the first
// from `held` ({id, fig}: the last frame of the last payload) when the payload names that as its
// base; a payload naming another cannot be read, and says so (`unheld`, no frames). A trace or layout
// sent as {"@prev": 1} is the previous frame's, the same object, which expandFigure may expand twice
// (it is idempotent); a changed one is a new object, the previous left as it was.
function readPayload(raw, held) {
  const bytes = raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const tail = bytes.byteOffset + 4 + n;
  const data = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + n)), (key, value) => {
    const at = value && value["@bin"];
    return at ? bytes.buffer.slice(tail + at[0], tail + at[0] + at[1]) : value;
  });
  if (data.base !== undefined) {
    if (!held || held.id !== data.base) return Object.assign(data, { frames: [], unheld: true });
    data.frames[0] = appliedFigure(held.fig, data.frames[0]);
  }
  for (let i = 1; i < data.frames.length; i++) data.frames[i] = appliedFigure(data.frames[i - 1], data.frames[i]);
  return data;
}

function appliedFigure(before, fig) {
  return { data: fig.data.map((trace, j) => (j < before.data.length ? applied(before.data[j], trace) : trace)),
           layout: applied(before.layout, fig.layout) };
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

// What differs between the figure drawn and the next one, as paths: ["data", 3, "x"], ["layout",
// "annotations", 20, "text"]; null when their shapes differ (other traces, other keys). A heatmap's
// values are always counted as changed (comparing them costs what repainting them does).
function figureChanges(drawn, fig) {
  if (!drawn || drawn.data.length !== fig.data.length) return null;
  const out = [];
  for (let j = 0; j < fig.data.length; j++) {
    const a = drawn.data[j], b = fig.data[j];
    if (a.type !== b.type) return null;
    if (b.type === "heatmap") {
      out.push(["data", j, "z"]);
      if (!differences(withoutValues(a), withoutValues(b), ["data", j], out)) return null;
    } else if (a !== b && !differences(a, b, ["data", j], out)) return null;
  }
  return differences(drawn.layout, fig.layout, ["layout"], out) ? out : null;
}

function withoutValues(trace) {
  const { z, zcodes, ...rest } = trace;
  return rest;
}

// Adds the paths where a and b differ to out; false when they differ in shape (keys, lengths of lists
// of objects), which only Plotly.react redraws.
function differences(a, b, path, out) {
  if (a === b) return true;
  if (a instanceof ArrayBuffer && b instanceof ArrayBuffer) {
    if (!sameBytes(a, b)) out.push(path);
    return true;
  }
  const objects = a && b && typeof a === "object" && typeof b === "object";
  if (!objects || Array.isArray(a) !== Array.isArray(b) || a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    if (!(Number.isNaN(a) && Number.isNaN(b))) out.push(path);
    return true;
  }
  if (Array.isArray(a)) {
    if (a.length !== b.length) return !a.some(isObject) && !b.some(isObject) && (out.push(path), true);
    for (let i = 0; i < a.length; i++) if (!differences(a[i], b[i], [...path, i], out)) return false;
    return true;
  }
  // (plotly.js adds keys of its own to what it drew: "_inputArray" to a typed array's spec)
  const keys = Object.keys(a).filter(own);
  if (keys.length !== Object.keys(b).filter(own).length || keys.some((key) => !(key in b))) return false;
  for (const key of keys) if (!differences(a[key], b[key], [...path, key], out)) return false;
  return true;
}

const isObject = (v) => v !== null && typeof v === "object";
const own = (key) => key[0] !== "_";

function sameBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a), y = new Uint8Array(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// Redrawing a playing frame in place, without Plotly.react: Plotly redraws the whole plot for any
// change (the network view: 50-90 ms in software-rendered Chromium, half of it its annotations, the
// boundary with its training points 40), while what moves from one playing frame to the next is
// few things, each cheap to draw directly:
// - a heatmap's values (zsmooth "fast": one image of one pixel per cell) and its colour axis' range;
// - a line trace's points (the network's links: one path per trace), and its markers if it has them;
// - a marker trace's colours on a colour scale (the biases' squares; the links' invisible hover targets);
// - an annotation's text, hover text, background and font colour (the network's |δ| strip).
// Each is drawn as Plotly draws it, and what hover reads is updated with it. Any other change (a
// trace more or less, an axis, a shape) returns false before anything is touched, and the frame goes
// to Plotly.react. tests/test_plotly_live_browser.py compares the results with Plotly's.
function paintInPlace(div, fig, changes) {
  const layout = div._fullLayout, jobs = [];
  if (!layout || !div.calcdata || !changes) return false;
  const traceAt = new Map();        // trace index -> its drawn group (heatmaps are in the image list)
  div.querySelectorAll(".scatterlayer g.trace").forEach((g) => {
    const cd = g.__data__, trace = cd && cd[0] && cd[0].trace;
    if (trace) traceAt.set(trace.index, g);
  });
  const heatmaps = fig.data.map((trace, j) => j).filter((j) => fig.data[j].type === "heatmap");
  const images = div.querySelectorAll("g.hm image");
  if (images.length !== heatmaps.length) return false;
  const reversed = (axis) => axis && (axis.autorange === "reversed" || (axis.range && axis.range[0] > axis.range[1]));
  const repaint = new Set(), lines = new Set(), colours = new Set(), notes = new Set();
  for (const path of changes) {
    const [part, at, key, sub] = path;
    if (part === "layout") {
      if (/^coloraxis\d*$/.test(at) && (key === "cmin" || key === "cmax") && path.length === 3) {
        heatmaps.forEach((j) => { if ((fig.data[j].coloraxis || "") === at) repaint.add(j); });
      } else if (at === "annotations" && (path.length === 4 && ["text", "hovertext", "bgcolor"].includes(sub)
                                          || path.length === 5 && sub === "font" && path[4] === "color")) notes.add(key);
      else return false;
      continue;
    }
    const trace = fig.data[at];
    if (trace.type === "heatmap" && key === "z") repaint.add(at);
    else if (trace.type === "scatter" && LINE_MODES.has(trace.mode) && (key === "x" || key === "y")
             && (path.length === 3 || path.length === 4 && (sub === "bdata" || typeof sub === "number"))) lines.add(at);
    else if (trace.type === "scatter" && LINE_MODES.has(trace.mode) && (key === "x0" || key === "dx")
             && path.length === 3) lines.add(at);
    else if (trace.type === "scatter" && trace.mode === "markers" && key === "marker"
             && ["color", "cmin", "cmax"].includes(sub) && path.length <= 5) colours.add(at);
    else return false;
  }
  if (reversed(fig.layout.xaxis) || reversed(fig.layout.yaxis)) return false;
  // everything planned before anything is drawn: a frame is painted whole or not at all
  for (const j of repaint) {
    const trace = fig.data[j], image = images[heatmaps.indexOf(j)], cd = div.calcdata[j] && div.calcdata[j][0];
    const range = heatmapRange(trace, fig.layout, div._fullData[j]);
    // one pixel a cell: smoothed by the browser ("fast"), or, unsmoothed, as Plotly draws even cells
    // (pixelated); other heatmaps Plotly draws a brick a cell
    const pixelated = !trace.zsmooth && image && /pixelated/.test(image.getAttribute("style") || "");
    if (!(trace.zsmooth === "fast" || pixelated) || !image || !cd || !Array.isArray(trace.z) || !range) return false;
    jobs.push(() => {
      image.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href", heatmapImage(trace.z, range));
      cd.z = trace.z;                   // what hover reads
      div.data[j] = trace;              // what the next Plotly.react compares with
    });
  }
  for (const j of lines) {
    const trace = fig.data[j], g = traceAt.get(j), path = g && g.querySelector("path.js-line");
    const ys = numbers(trace.y), full = div._fullData[j];
    // evenly spaced steps travel as x0 and dx (mlp/figures/curves.py: steps_x)
    const xs = trace.x !== undefined ? numbers(trace.x)
      : ys && typeof trace.x0 === "number" && typeof trace.dx === "number"
        ? Float64Array.from(ys, (_, i) => trace.x0 + i * trace.dx) : null;
    // on the axes as drawn: only where their ranges are fixed (an autoranged axis moves with the points)
    const xa = full && layout[axisName(full.xaxis, "x")], ya = full && layout[axisName(full.yaxis, "y")];
    if (!path || !xs || !ys || !xa || !ya || xa.autorange !== false || ya.autorange !== false || trace.fill
        || (trace.line && trace.line.shape && trace.line.shape !== "linear")) return false;
    // a line with markers: one marker a point, each moved to its point (and hover told the new values)
    const points = trace.mode === "lines" ? null : g.querySelectorAll("path.point"), cd = div.calcdata[j];
    if (points && (!cd || xs.length !== ys.length || points.length !== cd.length || points.length !== ys.length
                   || ys.some((y, i) => Number.isNaN(y) || Number.isNaN(xs[i])))) return false;
    jobs.push(() => {
      g.querySelectorAll("path.js-line").forEach((p) => { if (p !== path) p.remove(); });
      path.setAttribute("d", linePath(xs, ys, xa, ya));
      if (points) points.forEach((p, i) => {
        p.setAttribute("transform", `translate(${xa.c2p(xs[i])},${ya.c2p(ys[i])})`);
        Object.assign(cd[i], { x: xs[i], y: ys[i] });
      });
    });
  }
  for (const j of colours) {
    const trace = fig.data[j], g = traceAt.get(j), marker = trace.marker || {}, full = div._fullData[j];
    const values = numbers(marker.color), points = g && g.querySelectorAll("path.point");
    if (!values || !points || points.length !== values.length || !full || !Array.isArray(marker.colorscale)
        || typeof marker.cmin !== "number" && !invisible(marker.colorscale)) return false;
    jobs.push(() => {
      if (!invisible(marker.colorscale)) {
        const stops = colourStops(marker.colorscale), span = marker.cmax - marker.cmin || 1;
        points.forEach((p, i) => {
          const [r, gr, b, a] = colourAt(stops, (values[i] - marker.cmin) / span);
          p.style.fill = `rgb(${r}, ${gr}, ${b})`;
          p.style.fillOpacity = a / 255;
        });
      }
      full.marker.color = values;       // what hover reads ("w = %{marker.color}")
      Object.assign(full.marker, { cmin: marker.cmin, cmax: marker.cmax });
    });
  }
  for (const k of notes) {
    const note = fig.layout.annotations[k], full = layout.annotations[k];
    const box = div.querySelector(`g.annotation[data-index="${k}"]`);
    const text = box && box.querySelector("text.annotation-text"), bg = box && box.querySelector("rect.bg");
    const inner = box && box.querySelector("g.annotation-text-g > g");
    // (centred on its point: Plotly anchors an "auto" note on the paper by where it sits)
    const centred = note.xanchor === "center" || (!note.xanchor || note.xanchor === "auto") && note.xref !== "paper";
    if (!note || !full || !text || !bg || !inner || note.showarrow !== false || !centred
        || /[<&\n]/.test(String(note.text)) || text.querySelector("tspan")) return false;
    jobs.push(() => repaintNote(note, full, text, bg, inner));
  }
  jobs.forEach((job) => job());
  return true;
}

const LINE_MODES = new Set(["lines", "lines+markers", "markers+lines"]);

// The layout's name of a trace's axis: "x" -> "xaxis", "y2" -> "yaxis2".
const axisName = (id, letter) => letter + "axis" + String(id || letter).slice(1);

// A heatmap's colour range and scale: its own (zmin, zmax) or its colour axis'; null when unknown. A
// scale given by name ("Viridis") is the one Plotly drew it with (full: the trace as drawn).
function heatmapRange(trace, layout, full) {
  const axis = trace.coloraxis ? layout[trace.coloraxis] : trace;
  if (!axis || typeof axis.cmin !== "number" && typeof axis.zmin !== "number") return null;
  const lo = trace.coloraxis ? axis.cmin : axis.zmin, hi = trace.coloraxis ? axis.cmax : axis.zmax;
  const named = !trace.coloraxis && typeof axis.colorscale === "string" && full && full.colorscale;
  const colorscale = Array.isArray(axis.colorscale) ? axis.colorscale : Array.isArray(named) ? named : null;
  return typeof lo === "number" && typeof hi === "number" && colorscale ? { lo, hi, colorscale } : null;
}

// A trace's numbers: a typed array spec (payload.py sends float32 as {dtype, bdata}) or a plain list.
function numbers(values) {
  if (Array.isArray(values)) return values.map((v) => (v === null ? NaN : v));
  if (values && values.bdata instanceof ArrayBuffer && !values.shape) {
    const Type = { f4: Float32Array, f8: Float64Array, i4: Int32Array }[values.dtype];
    return Type ? new Type(values.bdata) : null;
  }
  return null;
}

const invisible = (scale) => scale.every(([, colour]) => /^rgba\(.*,\s*0\)$/.test(String(colour).replace(/\s/g, "")));

// Plotly's path of a line trace (scatter/line_points.js), its gaps (NaN) splitting it into segments,
// as one path ("M…L…M…L…"): the same strokes, and one element instead of one per segment.
function linePath(xs, ys, xa, ya) {
  let d = "", pen = false;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i]) || Number.isNaN(ys[i])) { pen = false; continue; }
    d += (pen ? "L" : "M") + Math.round(xa.c2p(xs[i]) * 100) / 100 + "," + Math.round(ya.c2p(ys[i]) * 100) / 100;
    pen = true;
  }
  return d;
}

// An annotation's new words and colours, in its box as Plotly lays it out (annotations/draw.js): the
// box as wide as the text plus its border and padding, centred where it was.
function repaintNote(note, full, text, bg, inner) {
  const pad = (full.borderpad || 0) + (full.borderwidth || 0);
  const before = Number(bg.getAttribute("width"));
  text.textContent = note.text;
  text.setAttribute("data-unformatted", note.text);
  const width = Math.round(text.getComputedTextLength() + 2 * pad) - (full.borderwidth || 0);
  const [x, y] = (inner.getAttribute("transform") || "").match(/-?[\d.]+/g).map(Number);
  inner.setAttribute("transform", `translate(${Math.round(x + (before - width) / 2)},${y})`);
  bg.setAttribute("width", width);
  text.setAttribute("x", Number(text.getAttribute("x")) + (width - before) / 2);
  bg.style.fill = note.bgcolor || "rgb(0, 0, 0)";
  bg.style.fillOpacity = note.bgcolor ? 1 : 0;
  if (note.font && note.font.color) text.style.fill = note.font.color;
  Object.assign(full, { text: note.text, hovertext: note.hovertext, bgcolor: note.bgcolor });
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

// A heatmap's image: one pixel a cell, coloured as Plotly colours it (its colour scale interpolated
// linearly in RGB between the stops, clamped at the range's ends; rows bottom-up; gaps transparent).
function heatmapImage(z, range) {
  const rows = z.length, cols = z[0].length, table = colourTable(range.colorscale);
  const lo = range.lo, span = range.hi - range.lo || 1;
  const canvas = document.createElement("canvas");
  canvas.width = cols;
  canvas.height = rows;
  const ctx = canvas.getContext("2d"), pixels = ctx.createImageData(cols, rows), out = pixels.data;
  for (let r = 0; r < rows; r++) {
    const row = z[r], top = (rows - 1 - r) * cols;        // the first row is the lowest y: drawn at the bottom
    for (let c = 0; c < cols; c++) {
      const v = row[c], k = (top + c) * 4;
      if (v === null || v === undefined || Number.isNaN(v)) continue;          // transparent, as Plotly
      const t = (v - lo) / span;
      out.set(table[t <= 0 ? 0 : t >= 1 ? TABLE_SIZE : Math.round(t * TABLE_SIZE)], k);
    }
  }
  ctx.putImageData(pixels, 0, 0);
  return canvas.toDataURL("image/png");
}

// A colour scale's colours at TABLE_SIZE + 1 evenly spaced points: a cell's colour is looked up, not
// interpolated (a third of a repaint's time); between two of them no channel moves by more than 255 /
// TABLE_SIZE (a sixteenth), within the pixel's rounding.
const TABLE_SIZE = 4096, colourTables = new Map();

function colourTable(scale) {
  const key = JSON.stringify(scale);
  if (!colourTables.has(key)) {
    const stops = colourStops(scale);
    colourTables.set(key, Array.from({ length: TABLE_SIZE + 1 }, (_, i) => Uint8ClampedArray.from(colourAt(stops, i / TABLE_SIZE))));
  }
  return colourTables.get(key);
}

// The colour at t (0 to 1, clamped) of a colour scale's stops, as [r, g, b, a] (a 0-255).
function colourAt(stops, t) {
  t = Math.min(1, Math.max(0, t));
  let s = 1;
  while (s < stops.length - 1 && stops[s][0] < t) s++;
  const [a, ca] = stops[s - 1], [b, cb] = stops[s], f = b > a ? (t - a) / (b - a) : 0;
  return [0, 1, 2].map((i) => Math.round(ca[i] + f * (cb[i] - ca[i]))).concat(Math.round((ca[3] + f * (cb[3] - ca[3])) * 255));
}

function liveChart({ data: raw, parentElement, setTriggerValue }) {
  const key = chartKey(parentElement);
  const data = readPayload(raw, heldFigures.get(key));
  const div = parentElement.querySelector("div.mlp-plot") || setUp(parentElement, data.height);
  const state = div.mlp, now = performance.now();
  if (data.unheld) {
    // the figure this payload continues is not here (a message lost): keep drawing what is, and ask
    // for a whole figure (mlp/ui/plotly_live.py sends one on "resync")
    heldFigures.delete(key);
    setTriggerValue("resync", Date.now());
    return tearDownWhenGone(div);
  }
  // what the next payload may continue: the last frame as it arrived (a copy: drawing writes into
  // the figures, expandFigure first)
  if (data.id !== undefined) heldFigures.set(key, { id: data.id, fig: structuredClone(data.frames[data.frames.length - 1]) });
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
    // A frame whose changes since the one drawn can be painted in place is (paintInPlace); any other
    // is drawn by Plotly.react (no toolbar, state.config: on a live chart it covered titles, the
    // histograms' "layer 3"). The output view showing a hovered neuron is drawn whole, with its image.
    const hovered = charts.output === div && window.__mlpHover;
    state.reacting = true;
    if (hovered || !paintInPlace(div, fig, figureChanges(state.drawn, fig))) {
      const shown = charts.output === div ? withNeuron(fig) : fig;
      window.Plotly.react(div, shown.data, layoutToDraw(shown.layout), state.config);
      smoothScaling(div, shown);
    }
    state.reacting = false;
    state.drawn = hovered ? null : fig;        // a repaint in place needs the net's own image under it
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
