"""The decision boundary: the net's output over the input plane, with the data points on top."""
from __future__ import annotations

import numpy as np

from mlp.figures.compact import heatmap_values
from mlp.figures.jsonable import integers, rounded, typed_array
from mlp.figures.palette import DIVERGING_SCALE, INK, WHITE, base_layout, class_colour_scale, compact_legend

DOMAIN = (-6.0, 6.0)                    # mlp.engine.datasets.DOMAIN (not imported: figures take plain data)
TICKS = list(range(-6, 7, 2))
# The background is paler than the points so a point stands out even on its own class's colour.
BACKGROUND_OPACITY = {"binary": 0.75, "regression": 0.75, "multiclass": 0.4}


def _kind(problem: str, n_classes: int) -> str:
    if problem == "regression":
        return "regression"
    if problem != "classification":
        raise ValueError(f"problem must be 'classification' or 'regression', got {problem!r}")
    return "multiclass" if n_classes > 2 else "binary"


def _even_axis(name: str, values) -> dict:
    """An evenly spaced grid axis as Plotly's start and step ({"x0", "dx"}): two numbers, not a hundred."""
    v = np.asarray(values, dtype=np.float64)
    step = (v[-1] - v[0]) / (len(v) - 1) if len(v) > 1 else 1.0
    # (np.allclose would do, at ten times the cost: this runs every frame)
    if np.max(np.abs(v - (v[0] + step * np.arange(len(v)))), initial=0.0) > 1e-9 * max(1.0, abs(step)):
        return {name: rounded(v, 4)}
    return {f"{name}0": round(float(v[0]), 6), f"d{name}": round(float(step), 9)}


def _background(xs, ys, z, kind: str, n_classes: int, discretize: bool, compact: bool) -> dict:
    z = np.asarray(z, dtype=np.float64)
    if kind == "binary":
        if discretize:                  # TF Playground's "discretize output": hard 0/1 regions
            z = (z >= 0.5).astype(np.float64)
        zmin, zmax, lo, hi, scale = 0.0, 1.0, 0.0, 1.0, DIVERGING_SCALE
        label = "p(class 1) %{z:.2f}"
    elif kind == "regression":
        if discretize:
            z = np.sign(z)
        zmin, zmax, scale = -1.0, 1.0, DIVERGING_SCALE
        # Encode over the data's own range when it leaves [-1, 1], so hover values stay true; the
        # colour scale still saturates at +-1.
        finite = z[np.isfinite(z)]
        lo = min(-1.0, float(finite.min())) if finite.size else -1.0
        hi = max(1.0, float(finite.max())) if finite.size else 1.0
        label = "output %{z:.2f}"
    else:
        k = max(n_classes, 1)
        zmin, zmax, lo, hi, scale = -0.5, k - 0.5, 0.0, float(k - 1), class_colour_scale(k)
        label = "predicted class %{z:.0f}"
    return {
        "type": "heatmap",
        "name": "output",
        **_even_axis("x", xs),
        **_even_axis("y", ys),
        **heatmap_values(z, lo, hi, compact),
        "zmin": zmin,
        "zmax": zmax,
        "colorscale": scale,
        "showscale": False,
        "opacity": BACKGROUND_OPACITY[kind],
        "hovertemplate": "x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>" + label + "<extra></extra>",
        "showlegend": False,
    }


def _points(X, y, name: str, kind: str, n_classes: int, compact: bool) -> dict:
    X = np.asarray(X, dtype=np.float64).reshape(-1, 2)
    y = np.asarray(y).reshape(-1)
    if kind == "regression":
        colour, cmin, cmax, scale = typed_array(y) if compact else rounded(y, 3), -1.0, 1.0, DIVERGING_SCALE
        label = "target %{marker.color:.2f}"
    else:
        k = max(n_classes, 2)
        colour, cmin, cmax, scale = (typed_array(y, "u1") if compact else integers(y), -0.5, k - 0.5,
                                     class_colour_scale(k))
        label = "class %{marker.color}"
    outline = _outline(name, kind)
    return {
        # WebGL: the points do not change from frame to frame, and as SVG they cost more to redraw
        # than the heatmap under them (measured in Chromium: 53 ms -> 20 ms per update)
        "type": "scattergl",
        "mode": "markers",
        "name": name,
        # 2 places: 0.01 on a 12-wide plane is below a pixel (compact: float32 bytes, nothing printed)
        "x": typed_array(X[:, 0]) if compact else rounded(X[:, 0], 2),
        "y": typed_array(X[:, 1]) if compact else rounded(X[:, 1], 2),
        "marker": {"color": colour, "colorscale": scale, "cmin": cmin, "cmax": cmax, "size": 7,
                   "line": outline, "showscale": False},
        # %{marker.color}: per-point attributes are available to hovertemplate, so the class is
        # not sent twice
        "hovertemplate": "x₁ %{x:.2f}<br>x₂ %{y:.2f}<br>" + label + f"<extra>{name}</extra>",
        "legendgroup": name,
        "showlegend": False,            # the legend shows _legend_key's neutral marker instead
    }


def _outline(name: str, kind: str) -> dict:
    """Train points: a white outline, as TF Playground draws them (a thin grey one in regression,
    where targets near 0 are white themselves). Test points: a thick dark outline, so they read as
    held out even where they overlap training points."""
    if name == "test":
        return {"color": INK, "width": 1.6}
    return {"color": "#777777", "width": 0.6} if kind == "regression" else {"color": WHITE, "width": 1}


def _legend_key(name: str, kind: str) -> dict:
    """A legend-only trace: a grey marker with the points' outline. The point traces' own legend
    symbol would take the colour of whichever class happens to come first."""
    return {"type": "scatter", "mode": "markers", "name": name, "legendgroup": name, "x": [None], "y": [None],
            "marker": {"color": "#b8b8b8", "size": 9, "line": _outline(name, kind)}, "hoverinfo": "skip"}


def decision_boundary_figure(xs, ys, z, X_train, y_train, X_test=None, y_test=None, *, problem: str,
                             n_classes: int, discretize: bool = False, compact: bool = False,
                             smooth: bool = False) -> dict:
    """The net's output over the plane as a heatmap, training (and test) points on top.

    xs (r,), ys (r,): grid coordinates; z (r, r) indexed [y, x] (as `mlp.engine.datasets.grid` lays it out):
      binary classification: p(class 1) in [0, 1], orange -> white -> blue;
      multi-class (n_classes > 2): the predicted class index 0..K-1 (as float), one colour per class;
      regression: the predicted value, orange -> white -> blue over [-1, 1].
    X_train (m, 2), y_train (m,): labels (int) or targets (float); X_test, y_test the same, optional:
    drawn as a separate trace "test" with dark outlines, followed by two legend-only traces.
    discretize: binary -> z rounded to 0/1, regression -> sign(z) (TF Playground's "discretize output").
    compact: the heatmap carries "zcodes" (see compact.py) instead of "z", the points typed arrays
    (jsonable.typed_array) instead of lists.
    smooth: the grid is drawn as a small image the browser scales smoothly (Plotly's zsmooth "fast":
    one pixel a cell, no blocks): a coarse grid, cheap to send and to draw. ("best" interpolates every
    screen pixel in JavaScript: 20-40 ms a redraw in software-rendered Chromium.)
    """
    kind = _kind(problem, n_classes)
    background = _background(xs, ys, z, kind, n_classes, discretize, compact)
    if smooth:
        background["zsmooth"] = "fast"
    traces = [background,
              _points(X_train, y_train, "train", kind, n_classes, compact)]
    has_test = X_test is not None and y_test is not None
    if has_test:
        traces += [_points(X_test, y_test, "test", kind, n_classes, compact), _legend_key("train", kind),
                   _legend_key("test", kind)]
    axis = {"range": list(DOMAIN), "tickvals": TICKS, "showgrid": False, "zeroline": False,
            "constrain": "domain", "showline": False}
    # One margin whether or not the test points are shown (it changed, and Show test data resized the
    # plot), with room above for the top tick's "6". The square plot hugs the left of a wider column
    # and the train / test key sits in the free space at its right.
    layout = base_layout(
        "decision_boundary",
        xaxis={**axis, "constraintoward": "left"},
        yaxis={**axis, "scaleanchor": "x", "scaleratio": 1},
        margin={"l": 36, "r": 8, "t": 12, "b": 28, "pad": 0},
        showlegend=has_test,
        legend=compact_legend(orientation="v", x=1.0, xanchor="right", y=1.0, yanchor="top"),
        hovermode="closest",
    )
    return {"data": traces, "layout": layout}
