"""Figures of the Backprop page: the tiny batch on the plane, and the gradient check per layer.

Plain dicts, like every builder in mlp.figures; nothing here imports Streamlit.
"""
from __future__ import annotations

import math

import numpy as np

from mlp.notation import number_text, power_of_ten
from mlp.figures.boundary import DOMAIN, TICKS
from mlp.figures.jsonable import integers, rounded, significant
from mlp.figures.palette import ALERT, CLASS_COLOURS, DIVERGING_SCALE, FAINT, INK, base_layout

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
