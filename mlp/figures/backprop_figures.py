"""Figures of the Backprop page: the tiny batch on the plane, and the gradient check per layer.

Plain dicts, like every builder in mlp.figures; nothing here imports Streamlit.
"""
from __future__ import annotations

import math

import numpy as np

from mlp.notation import number_text, power_of_ten
from mlp.figures.boundary import DOMAIN, TICKS
from mlp.figures.jsonable import integers, rounded, significant
from mlp.figures.palette import ALERT, BLUE, CLASS_COLOURS, DIVERGING_SCALE, FAINT, INK, ORANGE, WHITE, base_layout

PASS_COLOUR = "#2ca25f"
FAIL_COLOUR = ALERT


EDGE = 1.5          # a point this close (plane units) to the plot's right or top edge gets its label inside


def _label_positions(X: np.ndarray) -> list[str]:
    """Each point's number above and right of it, or left / below where that would leave the plot
    (the regression preset's point 2 near the top edge had its label cut)."""
    lo, hi = DOMAIN
    return [("bottom " if y > hi - EDGE else "top ") + ("left" if x > hi - EDGE else "right") for x, y in X]


def batch_figure(X, y, chosen: int, *, problem: str) -> dict:
    """The m points of the batch on the input plane, numbered 1..m; point `chosen` (0-based) ringed.

    X (m, 2) raw coordinates; y (m,) class labels (coloured by class) or regression targets
    (orange -> white -> blue over [-1, 1]).
    """
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    y = np.asarray(y).reshape(-1)
    m = len(X)
    if problem == "regression":
        marker_colour, scale = {"color": rounded(y, 3), "colorscale": DIVERGING_SCALE, "cmin": -1.0, "cmax": 1.0}, True
    else:
        marker_colour, scale = {"color": [CLASS_COLOURS[int(k) % len(CLASS_COLOURS)] for k in y]}, False
    label = "target %{customdata:.2f}" if scale else "class %{customdata}"
    points = {"type": "scatter", "mode": "markers+text", "name": "batch",
              "x": rounded(X[:, 0], 3), "y": rounded(X[:, 1], 3), "text": [str(i + 1) for i in range(m)],
              "textposition": _label_positions(X), "textfont": {"size": 15, "color": INK}, "cliponaxis": False,
              "customdata": rounded(y, 3) if scale else integers(y),
              "marker": {**marker_colour, "size": 13, "line": {"color": INK, "width": 1}},
              "hovertemplate": "example %{text}<br>x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>" + label + "<extra></extra>"}
    ring = {"type": "scatter", "mode": "markers", "name": "chosen", "x": rounded(X[chosen:chosen + 1, 0], 3),
            "y": rounded(X[chosen:chosen + 1, 1], 3), "hoverinfo": "skip",
            "marker": {"size": 26, "color": "rgba(0,0,0,0)", "line": {"color": ALERT, "width": 3}}}
    axis = {"range": list(DOMAIN), "tickvals": TICKS, "showgrid": True, "gridcolor": "#eeeeee",
            "zeroline": False, "showline": True, "linecolor": FAINT, "constrain": "domain"}
    layout = base_layout("lab_batch", xaxis={**axis, "title": {"text": "x₁", "standoff": 2}},
                         yaxis={**axis, "scaleanchor": "x", "scaleratio": 1, "title": {"text": "x₂", "standoff": 2}},
                         margin={"l": 44, "r": 8, "t": 8, "b": 40, "pad": 0}, hovermode="closest")
    return {"data": [points, ring], "layout": layout}


def gradcheck_figure(errors, threshold: float) -> dict:
    """The worst relative error of each layer's gradient, a bar per layer on a log axis.

    errors (L,): layer l's in entry l-1. Bars under `threshold` are green (backprop agrees with the
    finite differences), the others red; the threshold is a dotted line. Errors of exactly 0 are
    drawn at 1e-16 (a log axis has no 0).
    """
    e = np.asarray(errors, dtype=np.float64).reshape(-1)
    shown = np.where(np.isfinite(e), np.maximum(e, 1e-16), 1.0)
    layers = list(range(1, len(e) + 1))
    colours = [PASS_COLOUR if v < threshold else FAIL_COLOUR for v in e]
    bars = {"type": "bar", "name": "relative error", "x": layers, "y": significant(shown, 3),
            "marker": {"color": colours}, "text": [number_text(float(v)) for v in e], "textposition": "outside",
            "cliponaxis": False, "hovertemplate": "layer %{x}: %{y:.2e}<extra></extra>"}
    line = {"type": "scatter", "mode": "lines", "name": "pass below", "x": [0.5, len(e) + 0.5],
            "y": [threshold, threshold], "line": {"color": INK, "width": 1.5, "dash": "dot"},
            "hovertemplate": f"pass below {number_text(threshold)}<extra></extra>"}
    top = max(1.0, float(shown.max()) if shown.size else 1.0)
    layout = base_layout(
        "lab_gradcheck",
        xaxis={"title": {"text": "layer", "standoff": 4}, "tickmode": "linear", "tick0": 1, "dtick": 1,
               "range": [0.5, len(e) + 0.5], "showgrid": False, "zeroline": False, "showline": True,
               "linecolor": FAINT},
        yaxis={"type": "log", "range": [-16, math.log10(top) + 1.5], "tickmode": "array",
               "title": {"text": "worst relative error", "standoff": 4}, "showgrid": True,
               "gridcolor": "#eeeeee", "zeroline": False, "showline": True, "linecolor": FAINT,
               "tickvals": [1e-16, 1e-12, 1e-8, 1e-4, 1],
               "ticktext": [power_of_ten(k) for k in (-16, -12, -8, -4)] + ["1"]},
        margin={"l": 72, "r": 12, "t": 12, "b": 44, "pad": 0},
        bargap=0.45,
        annotations=[{"text": f"pass below {number_text(threshold)}", "x": 1.0, "xref": "paper", "xanchor": "right",
                      "y": math.log10(threshold), "yref": "y", "yanchor": "bottom", "showarrow": False,
                      "font": {"size": 13, "color": INK}}],
    )
    return {"data": [bars, line], "layout": layout}


WIDTHS = (1.0, 2.5, 5.0)        # a link's line width by its |W|: under a third, a third to two, the top third


def step_network_figure(W, A, delta, i: int) -> dict:
    """One example's forward and backward pass drawn on the network: every unit with its output a
    (above) and, for layers 1..L, its error δ (below); every link as its weight (blue positive, orange
    negative, thicker = larger |W|), with W and its gradient dW on hover.

    W[l] (n_{l-1}, n_l) for l = 1..L (W[0] unused); A[l] (m, n_l) for l = 0..L (A[0] = X); delta[l]
    (m, n_l) for l = 1..L; i: the example (0-based).
    """
    L = len(W) - 1
    sizes = [A[0].shape[1]] + [W[l].shape[1] for l in range(1, L + 1)]
    tallest = max(sizes)
    y_of = [np.linspace(0, tallest - 1, n) if n > 1 else np.array([(tallest - 1) / 2]) for n in sizes]
    top = max(float(np.max(np.abs(W[l]))) for l in range(1, L + 1)) or 1.0
    links = {}          # (sign, width) -> x, y with None between links
    hover_x, hover_y, hover_text = [], [], []
    for l in range(1, L + 1):
        for j in range(sizes[l - 1]):
            for k in range(sizes[l]):
                w = float(W[l][j, k])
                width = WIDTHS[min(2, int(3 * abs(w) / top))]
                xs, ys = links.setdefault((w >= 0, width), ([], []))
                xs += [l - 1, l, None]
                ys += [float(y_of[l - 1][j]), float(y_of[l][k]), None]
                hover_x.append(l - 0.5)
                hover_y.append(float((y_of[l - 1][j] + y_of[l][k]) / 2))
                hover_text.append(f"W[{l}] from unit {j + 1} to {k + 1}: {number_text(w)}")
    traces = [{"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip", "showlegend": False,
               "line": {"color": BLUE if positive else ORANGE, "width": width}, "opacity": 0.55}
              for (positive, width), (xs, ys) in sorted(links.items())]
    traces.append({"type": "scatter", "mode": "markers", "x": hover_x, "y": hover_y, "text": hover_text,
                   "hovertemplate": "%{text}<extra></extra>", "marker": {"size": 10, "opacity": 0},
                   "showlegend": False})
    xs, ys, above, below = [], [], [], []
    for l, n in enumerate(sizes):
        for k in range(n):
            xs.append(l)
            ys.append(float(y_of[l][k]))
            # (+ 0.0: a -0.0 reads "0", not "-0")
            above.append(f"{'a' if l else 'x'} {number_text(float(A[l][i, k]) + 0.0)}")
            below.append(f"δ {number_text(float(delta[l][i, k]) + 0.0)}" if l else "")
    units = {"type": "scatter", "mode": "markers", "x": xs, "y": ys, "showlegend": False,
             "marker": {"size": 22, "color": WHITE, "line": {"color": INK, "width": 2}},
             "customdata": [[a, d] for a, d in zip(above, below)],
             "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<extra></extra>"}
    texts = [{"type": "scatter", "mode": "text", "x": xs, "y": [v + dy for v in ys], "text": words,
              "textposition": "middle center", "textfont": {"size": 13, "color": colour}, "hoverinfo": "skip",
              "showlegend": False, "cliponaxis": False}
             for words, dy, colour in ((above, 0.32, INK), (below, -0.32, ALERT))]
    names = ["input"] + [f"layer {l}" for l in range(1, L)] + [f"output (layer {L})"]
    layout = base_layout(
        "lab_step_network",
        xaxis={"range": [-0.45, L + 0.45], "tickvals": list(range(L + 1)), "ticktext": names, "showgrid": False,
               "zeroline": False, "showline": False, "side": "top"},
        yaxis={"range": [-0.75, tallest - 0.25], "visible": False},
        margin={"l": 8, "r": 8, "t": 30, "b": 8, "pad": 0}, hovermode="closest")
    return {"data": [*traces, units, *texts], "layout": layout}
