"""TensorFlow Playground's network view: every neuron as a tiny heatmap, weights as coloured links.

Everything sits on one hidden x/y axis pair in "cell" units: a neuron is a 1 x 1 square, columns are
layers (inputs, hidden layers, output). Each layer is ONE heatmap, its neurons' grids stacked with
blank rows between them (compact.py: encode_blocks): a 6 x 8 net is 8 heatmap traces, not 52, which
is what the browser's redraw time and the bytes per frame grow with.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import numpy as np

from mlp.figures.compact import encode_block_groups, heatmap_values_blocks
from mlp.figures.jsonable import rounded, typed_array
from mlp.notation import number_text, power_of_ten
from mlp.figures.palette import ALERT, BLUE, DIVERGING_SCALE, FAINT, FONT_SIZE, INK, ORANGE, WHITE, base_layout

MAX_DRAWN_UNITS = 16
ROOMY_COLUMNS = 6           # up to this many columns, a wide layer's note says "+N more", beyond "+N"
COLUMN_STEP = 3.2          # centre-to-centre distance of two layers, in cells (room for the links)
ROW_GAP = 0.3              # blank space between two neurons of a layer, in cells (about; whole grid rows)
LABEL_SPACE = 0.25         # room left of the inputs, in cells (the labels reach on into the margin)
LABEL_MARGIN = 54          # px left of the plot for the feature labels ("sin(X₁)"): in pixels, so a deep
                           # net's small cells do not cut them (in cells, 7 hidden layers clipped them)
N_WIDTH_CLASSES = 5        # links are bucketed by |w| into this many widths (x 2 signs = traces)
MIN_LINK_WIDTH, MAX_LINK_WIDTH = 0.6, 6.0
BIAS_PX = 8                # a bias square's side
LINK_OPACITY = 0.75
INVISIBLE = "rgba(0,0,0,0)"         # hover targets: drawn, but not seen
# their hover labels would take the markers' (invisible) colour
HOVER_LABEL = {"bgcolor": WHITE, "bordercolor": FAINT, "font": {"color": INK}}
# positions of links and hover targets, in cells (~30 px each): 2 decimals are well under a pixel
PLACES = 2
HOVER_PLACES = 3           # a weight's decimals in its hover
# The + / - buttons are annotations: placed in pixels (an offset from their layer's x), so they keep
# their size and spacing however small the neurons are drawn; plotly.js reports a click on one
# (plotly_clickannotation) and the live chart sends its `name`, the click's JSON (mlp/ui/plotly_live.js).
CONTROLS_MARGIN = 62        # px above the plot for two rows of buttons
BUTTON_SHIFT = 17           # px from a layer's centre to its - and + buttons
CROWDED_LAYERS = 8          # from this many hidden layers on, a layer's width sits above its buttons
CROWDED_BUTTON_SHIFT = 10   # and they close up: side by side under it, well apart from the next layer's


def _gap_rows(g: int) -> int:
    """Blank grid rows between two neurons whose grids are g x g (a whole number of rows)."""
    return max(1, round(ROW_GAP * g))


def _unit_centres(n_drawn: int, g: int) -> np.ndarray:
    """y centres of a column's drawn units, unit 0 on top, the column centred on y = 0."""
    return ((n_drawn - 1) / 2 - np.arange(n_drawn)) * ((g + _gap_rows(g)) / g)


def _layer_ranges(units: np.ndarray, drawn: tuple[int, ...]) -> np.ndarray:
    """Each layer's max |value| (1 if it has none): one symmetric colour scale per layer.

    units (N, g, g): every drawn neuron, layer after layer, `drawn` of them per layer.
    """
    top = np.max(np.abs(units), axis=(1, 2), initial=0.0, where=np.isfinite(units))
    top = np.maximum.reduceat(top, np.cumsum([0, *drawn[:-1]]))
    return np.where(top > 0, top, 1.0)


def _layer_trace(values: dict, g: int, cx: float, bottom: float, coloraxis: str) -> dict:
    """One layer's neurons as one heatmap; `values` is its {"z": …} or {"zcodes": …} (g x g per neuron).

    Its colours come from the layer's colour axis (defined once in the layout), which keeps every
    neuron of a layer on one scale. Hover is the neuron markers' job (which unit is this?).
    """
    d = 1.0 / g
    return {
        "type": "heatmap",
        **values,
        # cell centres: the heatmap's outer edges land exactly on the neurons' squares
        "x0": round(cx - 0.5 + d / 2, 5), "dx": round(d, 6),
        "y0": round(bottom + d / 2, 5), "dy": round(d, 6),
        "coloraxis": coloraxis,
        "hoverinfo": "skip",
    }


def _numbers(values, compact: bool, places: int = PLACES):
    """A trace's coordinates: float32 bytes when compact (nothing to round or print), else rounded lists."""
    return typed_array(values) if compact else rounded(values, places)


def _square_outlines(c: np.ndarray, compact: bool) -> dict:
    """One line trace outlining every neuron's square (cheaper to send than a shape per neuron).

    c (n, 2): the squares' centres."""
    x0, x1, y0, y1, gap = c[:, 0] - 0.5, c[:, 0] + 0.5, c[:, 1] - 0.5, c[:, 1] + 0.5, np.full(len(c), np.nan)
    xs = np.column_stack([x0, x1, x1, x0, x0, gap]).ravel()
    ys = np.column_stack([y0, y0, y1, y1, y0, gap]).ravel()
    return {"type": "scatter", "mode": "lines", "x": _numbers(xs, compact, 4), "y": _numbers(ys, compact, 4),
            "hoverinfo": "skip", "name": "neurons", "line": {"color": FAINT, "width": 1}, "showlegend": False}


@dataclass(frozen=True)
class _Geometry:
    """Everything about the drawing that depends on the architecture only, not on the weights.

    Built once per (sizes, grid size, labels, compact) and shared by every frame of a run: only the
    neurons' images and the links' colours and widths change while training. The trace dicts in
    here are shared too; network_figure puts them in new lists and never changes them.
    """
    drawn: tuple[int, ...]
    column_x: tuple[float, ...]
    centres: tuple[np.ndarray, ...]
    segments_x: np.ndarray            # (n_links, 3): x of (start, end, gap) of every drawn link
    segments_y: np.ndarray
    link_markers: dict                # the hover/click markers, without their colour (the weights)
    neuron_markers: dict
    outlines: dict
    layout: dict                      # without the colour axes (their ranges change)
    bias_markers: dict | None         # the biases' squares, without their colour (the biases)


@functools.lru_cache(maxsize=16)
def _geometry(sizes: tuple[int, ...], g: int, labels: tuple[str, ...], compact: bool,
              inputs: tuple[bool, ...] | None = None, controls: bool = False) -> _Geometry:
    drawn = tuple(min(n, MAX_DRAWN_UNITS) for n in sizes)
    # with `inputs`, the first column shows every feature, the net's inputs those switched on
    input_rows = tuple(i for i, on in enumerate(inputs) if on) if inputs else tuple(range(drawn[0]))
    if inputs:
        drawn = (len(inputs), *drawn[1:])
    column_x = tuple(c * COLUMN_STEP for c in range(len(sizes)))
    centres = tuple(_unit_centres(n, g) for n in drawn)

    # links: every (source, target) pair of drawn units, layer by layer, sources major
    ends, ids = [], []
    for c in range(len(sizes) - 1):
        n_from = len(input_rows) if c == 0 else drawn[c]
        i, j = np.divmod(np.arange(n_from * drawn[c + 1]), drawn[c + 1])
        from_y = centres[0][np.asarray(input_rows, np.intp)[i]] if c == 0 else centres[c][i]
        ends.append(np.column_stack([np.full(i.size, column_x[c] + 0.5), from_y,
                                     np.full(i.size, column_x[c + 1] - 0.5), centres[c + 1][j]]))
        # as the weight editor numbers them: layer c + 1 (the weights into column c + 1), units from 1
        ids.append(np.column_stack([np.full(i.size, c + 1), i + 1, j + 1]))
    ends = np.concatenate(ends) if ends else np.zeros((0, 4))
    ids = np.concatenate(ids) if ids else np.zeros((0, 3), np.intp)
    gap = np.full(len(ends), np.nan)
    link_markers = {
        "type": "scatter", "mode": "markers", "name": "weights",
        "x": _numbers((ends[:, 0] + ends[:, 2]) / 2, compact), "y": _numbers((ends[:, 1] + ends[:, 3]) / 2, compact),
        "customdata": typed_array(ids, "u1") if compact else ids.tolist(),
        # short lines, all in the box (an <extra> part is drawn beside it)
        "hovertemplate": "w = %{marker.color:." + str(HOVER_PLACES) + "f}<br>layer %{customdata[0]}, from unit %{customdata[1]}<br>"
                         "to unit %{customdata[2]}<br><i>click to edit</i><extra></extra>",
        "hoverlabel": HOVER_LABEL}

    squares, hover_text, clicks, annotations = [], [], [], []
    for c, n_drawn in enumerate(drawn):
        cx = column_x[c]
        for j in range(n_drawn):
            cy = float(centres[c][j])
            feature = c == 0 and j < len(labels)
            if c == 0 and inputs:
                hover_text.append(f"{labels[j]}: {'an input' if inputs[j] else 'off'}<br>click to switch it "
                                  f"{'off' if inputs[j] else 'on'}")
                clicks.append(["feature", j])
            else:
                hover_text.append(f"layer {c}, unit {j + 1}" + (f" ({labels[j]})" if feature else ""))
                clicks.append(["neuron", c, j + 1])
            squares.append((cx, cy))
            if feature:
                annotations.append({"text": labels[j], "x": cx - 0.6, "y": round(cy, 4), "xref": "x",
                                    "yref": "y", "xanchor": "right", "showarrow": False,
                                    "font": {"size": FONT_SIZE, "color": INK if not inputs or inputs[j] else FAINT}})
        if sizes[c] > n_drawn and not (c == 0 and inputs):
            # the word only where the columns leave room for it: ten layers' "+16 more" ran into each other
            more = f"+{sizes[c] - n_drawn}" + (" more" if len(sizes) <= ROOMY_COLUMNS else "")
            annotations.append({"text": more, "hovertext": f"{sizes[c] - n_drawn} more neurons, not drawn", "x": cx,
                                "y": round(float(centres[c][-1]) - 0.6, 4), "xref": "x", "yref": "y",
                                "xanchor": "center", "yanchor": "top", "showarrow": False,
                                "font": {"size": FONT_SIZE}})
    squares = np.asarray(squares, dtype=np.float64).reshape(-1, 2)
    # invisible markers on the neurons: what a hover over a neuron says, and what a click on one does
    neuron_markers = {"type": "scatter", "mode": "markers", "name": "neuron labels",
                      "x": _numbers(squares[:, 0], compact), "y": _numbers(squares[:, 1], compact),
                      "text": hover_text, "hovertemplate": "%{text}<extra></extra>",
                      "marker": {"size": 22, "color": INVISIBLE}, "hoverlabel": HOVER_LABEL}
    if controls:
        neuron_markers["customdata"] = clicks
    top = float(max(c[0] for c in centres)) + 0.6 if drawn else 1.0
    bottom = -top - (0.6 if any(s > d for s, d in zip(sizes, drawn)) else 0.0)
    shapes = [{"type": "rect", "xref": "x", "yref": "y", "x0": column_x[0] - 0.5, "x1": column_x[0] + 0.5,
               "y0": float(centres[0][j]) - 0.5, "y1": float(centres[0][j]) + 0.5, "layer": "above",
               "fillcolor": "rgba(255,255,255,0.75)", "line": {"width": 0}}
              for j in range(drawn[0]) if inputs and not inputs[j]]
    if controls:
        annotations += _control_buttons(sizes, column_x)
    bias_markers = None
    if len(sizes) > 1:
        # every neuron after the inputs: its bias centred just outside its lower left corner (as TF Playground
        # draws it), so it covers a corner of the neuron's picture however small the cells are drawn
        corners = squares[drawn[0]:] - 0.5
        units = [["bias", c, j + 1] for c in range(1, len(drawn)) for j in range(drawn[c])]
        bias_markers = {"type": "scatter", "mode": "markers", "name": "biases",
                        "x": _numbers(corners[:, 0] - 0.04, compact), "y": _numbers(corners[:, 1] - 0.04, compact),
                        "customdata": units,
                        "hovertemplate": "bias b = %{marker.color:.3f}<br>layer %{customdata[1]}, unit "
                                         "%{customdata[2]}" + ("<br>click to edit" if controls else "") + "<extra></extra>",
                        "hoverlabel": HOVER_LABEL}
    hidden_axis = {"visible": False, "showgrid": False, "zeroline": False, "constrain": "domain"}
    layout = base_layout(
        "network",
        xaxis={**hidden_axis, "range": [round(-0.5 - LABEL_SPACE, 3), round(column_x[-1] + 0.7, 3)]},
        yaxis={**hidden_axis, "range": [round(bottom, 3), round(top, 3)], "scaleanchor": "x", "scaleratio": 1},
        margin={"l": LABEL_MARGIN, "r": 4, "t": CONTROLS_MARGIN if controls else 4, "b": 4, "pad": 0},
        annotations=annotations,
        shapes=shapes,
        hovermode="closest",
    )
    return _Geometry(drawn, column_x, centres,
                     np.column_stack([ends[:, 0], ends[:, 2], gap]), np.column_stack([ends[:, 1], ends[:, 3], gap]),
                     link_markers, neuron_markers, _square_outlines(squares, compact), layout, bias_markers)


def _button(text: str, click: list, hover: str, *, x, xref: str, xshift: float, yshift: float) -> dict:
    return {"text": f"<b>{text}</b>", "name": json.dumps(click), "hovertext": hover, "captureevents": True,
            "x": x, "xref": xref, "y": 1, "yref": "paper", "yanchor": "bottom", "xshift": xshift, "yshift": yshift,
            "showarrow": False, "font": {"size": 15, "color": INK}, "bgcolor": "#f0f2f6", "bordercolor": FAINT,
            "borderwidth": 1, "borderpad": 1, "width": 16, "height": 16}


def _control_buttons(sizes: tuple[int, ...], column_x: tuple[float, ...]) -> list[dict]:
    """TF Playground's controls on the network, as annotations: - / + and the width over each hidden
    layer; - / + and the number of hidden layers over them all.

    A click reports ["width", layer (1 = first hidden), +1 or -1] or ["layers", 0, +1 or -1].
    """
    notes = []
    # many layers leave too little room between columns for "- width +" side by side (a layer's + ran into
    # the next one's -): the width goes above its two buttons, which close up under it
    crowded = len(sizes) - 2 >= CROWDED_LAYERS
    shift, width_y = (CROWDED_BUTTON_SHIFT, 22) if crowded else (BUTTON_SHIFT, 3)
    for c in range(1, len(sizes) - 1):
        notes += [_button("−", ["width", c, -1], f"one neuron less in layer {c}", x=column_x[c], xref="x",
                          xshift=-shift, yshift=2),
                  _button("+", ["width", c, 1], f"one more neuron in layer {c}", x=column_x[c], xref="x",
                          xshift=shift, yshift=2),
                  {"text": str(sizes[c]), "x": column_x[c], "xref": "x", "y": 1, "yref": "paper", "yanchor": "bottom",
                   "yshift": width_y, "showarrow": False, "font": {"size": FONT_SIZE - 1, "color": INK},
                   "hovertext": f"layer {c}: {sizes[c]} neuron{'s' if sizes[c] != 1 else ''}"}]
    n = len(sizes) - 2
    notes += [_button("−", ["layers", 0, -1], "remove the last hidden layer", x=0.5, xref="paper", xshift=-118,
                      yshift=34),
              _button("+", ["layers", 0, 1], "add a hidden layer (as wide as the last)", x=0.5, xref="paper",
                      xshift=-96, yshift=34),
              {"text": f"<b>{n} HIDDEN LAYER{'S' if n != 1 else ''}</b>", "x": 0.5, "xref": "paper", "xanchor": "left",
               "xshift": -82, "y": 1, "yref": "paper", "yanchor": "bottom", "yshift": 34, "showarrow": False,
               "font": {"size": FONT_SIZE, "color": INK}}]
    return notes


def _link_weights(weights, drawn) -> np.ndarray:
    """The drawn links' weights (n_links,), in _geometry's order: layer by layer, sources major."""
    parts = [np.asarray(W, dtype=np.float64)[:drawn[c], :drawn[c + 1]].ravel() for c, W in enumerate(weights)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _link_traces(geometry: _Geometry, w: np.ndarray, compact: bool) -> list[dict]:
    """2 x N_WIDTH_CLASSES line traces: one per (sign, width class), segments split by gaps (none in a
    class no link falls in)."""
    finite = np.isfinite(w)
    magnitude = np.abs(np.where(finite, w, 0.0))
    top = float(magnitude.max()) if w.size else 0.0
    bucket = np.zeros(w.size, np.intp)
    if top > 0:
        bucket = np.minimum((magnitude * (N_WIDTH_CLASSES / top)).astype(np.intp), N_WIDTH_CLASSES - 1)
    # group key: negative links 0..4, positive 5..9 (non-finite weights are not drawn)
    key = np.where(finite, bucket + N_WIDTH_CLASSES * (w >= 0), -1)
    # links sorted by group: each group's (start, end, gap) rows are one slice
    order = np.argsort(key, kind="stable")
    key, xs, ys = key[order], geometry.segments_x[order], geometry.segments_y[order]
    # every group, an empty one too: the traces stay the same from frame to frame while only their
    # segments move, which the playing browser redraws in place (mlp/ui/plotly_live.js: paintInPlace)
    starts = np.searchsorted(key, np.arange(2 * N_WIDTH_CLASSES))
    ends = np.append(starts[1:], len(key))
    traces = []
    for k, a, b in zip(range(2 * N_WIDTH_CLASSES), starts.tolist(), ends.tolist()):
        positive, width_class = divmod(k, N_WIDTH_CLASSES)
        width = MIN_LINK_WIDTH + (MAX_LINK_WIDTH - MIN_LINK_WIDTH) * width_class / (N_WIDTH_CLASSES - 1)
        # one trace draws many separate segments
        traces.append({"type": "scatter", "mode": "lines",
                       "x": _numbers(xs[a:b].ravel(), compact), "y": _numbers(ys[a:b].ravel(), compact),
                       "hoverinfo": "skip", "opacity": LINK_OPACITY,
                       "line": {"color": BLUE if positive else ORANGE, "width": round(width, 2)},
                       "name": f"{'positive' if positive else 'negative'} weights, width class {width_class + 1}"})
    return traces


def _link_markers(geometry: _Geometry, w: np.ndarray, compact: bool) -> dict:
    """Invisible markers on the links' midpoints: what a hover shows and a click reports.

    customdata (layer, from unit, to unit), numbered as the weight editor numbers them (layer 1 = the
    weights from the inputs; units from 1), tells the page which weight was clicked (mlp/ui edits it);
    the weight itself rides in marker.color, where the hover text finds it, to the HOVER_PLACES it
    prints: sent every playing frame, a weight to float32's last bit changes every frame, one rounded
    to what is shown seldom, and the frame's changes (mlp/live/payload.py) shrink to a third.
    """
    shown = np.round(w, HOVER_PLACES)
    return {**geometry.link_markers,
            "marker": {"size": 10, "color": typed_array(shown) if compact else rounded(shown, HOVER_PLACES),
                       "colorscale": [[0, INVISIBLE], [1, INVISIBLE]], "showscale": False}}


def _stuck_marks(geometry: _Geometry, stuck, compact: bool) -> dict | None:
    """A thick red outline around each drawn hidden unit flagged in `stuck` (per hidden layer, bool
    (n_l,)), named for the alarm it belongs to; None when none is flagged."""
    centres = []
    for l, flags in enumerate(stuck or ()):
        c = l + 1                                           # column 0 is the inputs
        if c >= len(geometry.drawn) - 1:
            break
        drawn = np.flatnonzero(np.asarray(flags, bool)[:geometry.drawn[c]])
        centres += [(geometry.column_x[c], float(geometry.centres[c][j])) for j in drawn]
    if not centres:
        return None
    outline = _square_outlines(np.asarray(centres, np.float64), compact)
    return {**outline, "name": "dead or saturated units", "line": {"color": ALERT, "width": 3}}


def _bias_markers(geometry: _Geometry, biases, compact: bool) -> dict:
    """The drawn neurons' biases as small squares, orange negative, blue positive, on one scale."""
    b = np.concatenate([np.asarray(v, np.float64).reshape(-1)[:n] for v, n in zip(biases, geometry.drawn[1:])])
    top = float(np.max(np.abs(b), initial=0.0, where=np.isfinite(b)))
    return {**geometry.bias_markers,
            "marker": {"symbol": "square", "size": BIAS_PX, "color": typed_array(b) if compact else rounded(b, 4),
                       "colorscale": DIVERGING_SCALE, "cmin": -(top or 1.0), "cmax": top or 1.0,
                       "line": {"color": INK, "width": 0.6}, "showscale": False}}


def network_figure(layer_sizes, weights, neuron_grids, *, feature_labels, compact: bool = False,
                   stuck=None, biases=None, inputs=None, controls: bool = False, backward=None) -> dict:
    """The network as TF Playground draws it.

    layer_sizes: widths from inputs to output, e.g. [2, 4, 2, 2] (L + 1 numbers).
    weights: L arrays, weights[l] (n_l, n_{l+1}) from layer l to layer l + 1 (layer 0 = the inputs).
    neuron_grids: L + 1 arrays, neuron_grids[l] (n_l, g, g): each unit's output over the input plane,
      indexed [y, x] (row 0 at the bottom); each layer gets its own symmetric colour scale over
      +-(its max |value|).
    feature_labels: n_0 names for the input column, e.g. ["X₁", "X₂"].
    Layers wider than 16 units show their first 16 and "+N more". compact: the layers' heatmaps
    carry "zcodes" instead of "z", and coordinates and customdata are float32 typed arrays (jsonable.py).
    In the hover texts units are numbered from 1 and layers as the weight editor numbers them: the
    neurons of layer 0 are the inputs, and the links of layer l lead into layer l (weights[l - 1]).
    stuck: per hidden layer a bool (n_l,) of units to outline in red: the dead or saturated units the
      alarm names (mlp/run/stuck_units.py).
    biases: L arrays (1, n_{l+1}), optional: a small square at each neuron's lower left corner, coloured
      by its bias on one symmetric scale (as TF Playground draws them).
    inputs: a bool per feature, optional: the first column then shows every feature (neuron_grids[0]
      holds all of them, feature_labels names all of them), the ones switched off faded and unlinked;
      the net's inputs are the ones switched on, in order.
    controls: draw TF Playground's + / - buttons (widths, number of hidden layers); the neurons then
      report a click as ["feature", index] (first column) or ["neuron", layer, unit].
    backward: (H,) optional, each hidden layer's mean |δ| over the last hidden layer's: written under its
      column on a colour scale of decades (backward_strip).
    """
    g = int(np.shape(neuron_grids[0])[-1])
    geometry = _geometry(tuple(int(n) for n in layer_sizes), g, tuple(feature_labels), compact,
                         None if inputs is None else tuple(bool(i) for i in inputs), controls)
    w = _link_weights(weights, geometry.drawn)
    traces = _link_traces(geometry, w, compact) + [_link_markers(geometry, w, compact)]

    drawn, gap = geometry.drawn, _gap_rows(g)
    # the heatmap's rows run bottom-up, and unit 0 is drawn on top: each layer's grids last unit first
    units = np.concatenate([np.asarray(grids, dtype=np.float64)[:n][::-1] for n, grids in zip(drawn, neuron_grids)])
    scales = _layer_ranges(units, drawn)
    if compact:
        layer_values = [{"zcodes": grid} for grid in encode_block_groups(units, drawn, -scales, scales, gap)]
    else:
        starts = np.cumsum([0, *drawn]).tolist()
        layer_values = [heatmap_values_blocks(units[a:b], -s, s, gap, False)
                        for a, b, s in zip(starts, starts[1:], scales.tolist())]
    coloraxes = {}
    for c, (values, scale) in enumerate(zip(layer_values, scales.tolist())):
        axis = "coloraxis" if c == 0 else f"coloraxis{c + 1}"
        coloraxes[axis] = {"cmin": -scale, "cmax": scale, "colorscale": DIVERGING_SCALE, "showscale": False}
        traces.append(_layer_trace(values, g, geometry.column_x[c], float(geometry.centres[c][-1]) - 0.5, axis))
    traces += [geometry.neuron_markers, geometry.outlines]
    marks = _stuck_marks(geometry, stuck, compact)
    if marks is not None:
        traces.append(marks)
    if biases is not None and geometry.bias_markers is not None:
        traces.append(_bias_markers(geometry, biases, compact))
    layout = {**geometry.layout, **coloraxes}
    if backward is not None:
        layout = {**layout, **backward_strip(backward, geometry.column_x, layout)}
    return {"data": traces, "layout": layout}


# What reaches a hidden layer of the error the last hidden layer gets, by decades: the Gradient flow
# lab's lines (mlp/lab/gradient_flow.py: below 10⁻³ vanishing, above 10³ exploding; within 10⁻¹…10 healthy).
STRIP_LEVELS = ((1e-3, BLUE, WHITE), (1e-1, "#c6dbef", INK), (10.0, None, FAINT), (1e3, "#fcbba1", INK),
                (math.inf, ALERT, WHITE))
STRIP_MARGIN = 22           # px under the plot for the strip


def _strip_colours(v: float) -> tuple[str | None, str]:
    if not math.isfinite(v):
        return ALERT, WHITE
    return next((bg, fg) for top, bg, fg in STRIP_LEVELS if v < top)


def _decade_text(v: float) -> str:
    """Short enough for a layer's column: the nearest power of ten far from 1 ("10⁻⁴"), else one digit."""
    if v > 0 and abs(math.log10(v)) >= 2:
        return power_of_ten(round(math.log10(v)))
    return f"{v:.1g}"


def backward_strip(backward, column_x, layout: dict) -> dict:
    """Layout additions: under each hidden layer its share of the backward error, as a small coloured
    label ("10⁻⁴", blue when vanishing, red when exploding), and "|δ|" under the inputs."""
    values = [float(v) for v in np.asarray(backward, np.float64).reshape(-1)]
    # under the lowest neuron (the y axis' bottom), wherever the square cells leave the drawing on the chart
    base = {"xref": "x", "yref": "y", "y": layout["yaxis"]["range"][0], "yanchor": "top", "yshift": -3,
            "showarrow": False, "font": {"size": FONT_SIZE - 2}}
    notes = [{**base, "text": "|δ|", "x": round(-0.5 - LABEL_SPACE, 3), "xanchor": "left",
              "font": {"size": FONT_SIZE - 2, "color": FAINT},
              "hovertext": "mean |δ| of each hidden layer over the last hidden layer's: how much of the error "
                           "gets back to it (the Gradient flow lab's headline)"}]
    for c, v in enumerate(values, start=1):
        bg, fg = _strip_colours(v)
        notes.append({**base, "text": _decade_text(v) if math.isfinite(v) else "∞",
                      "x": column_x[c], "font": {"size": FONT_SIZE - 2, "color": fg},
                      **({"bgcolor": bg} if bg else {}), "borderpad": 2,
                      "hovertext": f"hidden layer {c}: mean |δ| is {number_text(v) if math.isfinite(v) else 'not finite'} "
                                   "× the last hidden layer's"})
    margin = {**layout.get("margin", {}), "b": STRIP_MARGIN}
    return {"annotations": [*layout.get("annotations", []), *notes], "margin": margin}
