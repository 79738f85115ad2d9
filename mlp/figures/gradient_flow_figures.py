"""Figures of the Gradient flow lab, as plain dicts like every builder here.

Heatmaps over training time put the recorded step on x; a log quantity is drawn as its log₁₀ with
colour-bar ticks written as powers of ten. Nothing here imports Streamlit or Plotly.
"""
from __future__ import annotations

import numpy as np

from mlp.notation import power_of_ten
from mlp.figures.axes import axis, layer_axis, log_ticks, step_axis, stepped_log_axis, stepped_step_range
from mlp.figures.compact import heatmap_values
from mlp.figures.jsonable import integers, rounded, significant
from mlp.figures.layers import grad_norm_by_layer_figure
from mlp.figures.palette import BLUE, COUNT_SCALE, FAINT, INK, ORANGE, base_layout, compact_legend


def gradient_flow_figure(grad_norm, delta_mean_abs, *, update_ratio=None, init_grad_norm=None,
                         init_delta=None) -> dict:
    """mean |δ[l]| (the headline), ‖dW[l]‖ and ‖ΔW[l]‖/‖W[l]‖ against layer (log axis), and, faint,
    δ and ‖dW‖ at initialisation.

    All arrays (L,). The "at step 0" lines are drawn only when given (after training began). The log
    axis spans whole decades around every value drawn.
    """
    fig = grad_norm_by_layer_figure(grad_norm, delta_mean_abs=delta_mean_abs, update_ratio=update_ratio)
    if init_grad_norm is not None:
        for values, name, colour in ((init_grad_norm, "‖dW‖ at step 0", BLUE), (init_delta, "|δ| at step 0", INK)):
            if values is None:
                continue
            v = np.asarray(values, np.float64).reshape(-1)
            keep = np.isfinite(v) & (v > 0)
            fig["data"].append({"type": "scatter", "mode": "lines", "name": name,
                                "x": integers(np.flatnonzero(keep) + 1), "y": significant(v[keep]),
                                "line": {"color": colour, "width": 1.5, "dash": "dot"}, "opacity": 0.45,
                                "hovertemplate": "layer %{x}: %{y:.3g}<extra>" + name + "</extra>"})
    # whole decades, so a playing frame moves only the lines and their markers (painted in place by
    # mlp/ui/plotly_live.js) until a value crosses a power of ten
    fig["layout"]["yaxis"].update(stepped_log_axis([np.array(t["y"], np.float64) for t in fig["data"]]))
    fig["layout"]["uirevision"] = "gradient_flow"
    return fig


def _thinned(n: int, at_most: int) -> np.ndarray:
    """Indices of at most `at_most` of n records, evenly spread, always keeping the first and the last."""
    return np.arange(n) if n <= at_most else np.unique(np.linspace(0, n - 1, at_most).round().astype(np.intp))


MAX_DECADE_TICKS = 12


def decade_range(values) -> tuple[int, int]:
    """(lo, hi): whole powers of ten around the finite positive values (at least one decade apart);
    (-1, 0) when there are none."""
    v = np.asarray(values, np.float64).reshape(-1)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return -1, 0
    lo, hi = int(np.floor(np.log10(v.min()))), int(np.ceil(np.log10(v.max())))
    return lo, max(hi, lo + 1)


def layer_step_heatmap_figure(steps, values, *, quantity: str = "mean |δ|", max_columns: int = 128,
                              compact: bool = False, playing: bool = False) -> dict:
    """Layer × recorded step, coloured by log₁₀ of a per-layer quantity (the backward error mean |δ[l]|,
    or ‖dW[l]‖) on one colour range for the whole run.

    steps (T,) ascending, values (T, L): the run's history from its first step, so the range (whole
    decades around the smallest and largest value so far) stays put while a run decays or grows over
    time, and only widens when a new extreme appears. Ticks at every decade (every k-th past
    MAX_DECADE_TICKS), so a factor of 1000 between layers is three ticks apart. Exact zeros get the
    band one decade below the range, ticked "0: dead"; non-finite values are gaps (plain z) or that
    band's colour (compact). At most `max_columns` steps are sent (evenly spread, both ends kept), so
    a frame stays small however long the history. compact: z as "zcodes" (see compact.py).

    playing (ten steps or more): max_columns columns of equal width from step 0 to the rung above the
    last step (axes.stepped_step_range), each showing the last record before its end, those after the
    last step blank. Frames within one rung then differ only in their values, which the browser
    repaints in place (mlp/ui/plotly_live.js) instead of redrawing the chart.
    """
    s = np.asarray(steps, np.float64).reshape(-1)
    g = np.asarray(values, np.float64).reshape(len(s), -1) if len(s) else np.zeros((0, 0))
    lo, hi = decade_range(g)
    span = stepped_step_range(s) if playing else None
    if span:
        dx = span[1] / max_columns
        ends = (np.arange(max_columns) + 1) * dx
        last_before = np.maximum(np.searchsorted(s, ends, side="left") - 1, 0)
        filled = int(np.count_nonzero(ends - dx <= s[-1]))               # columns the run has reached
        g = g[last_before]
        where = {"x0": dx / 2, "dx": dx}
        xaxis = axis("step", range=span)
    else:
        keep = _thinned(len(s), max_columns)
        s, g = s[keep], g[keep]
        filled = None                                                     # every column holds a record
        where = {"x": integers(s)}
        xaxis = step_axis(s)
    n_layers = g.shape[1]
    zero = lo - 1
    with np.errstate(all="ignore"):
        z = np.where(np.isfinite(g) & (g > 0), np.log10(g), np.nan)
    z = np.where(g == 0, zero, z).T                                              # (L, columns)
    every = max(1, -(-(hi - lo) // MAX_DECADE_TICKS))
    ticks = list(range(lo, hi + 1, every))
    labels = [power_of_ten(k) for k in ticks]
    if (g == 0).any():
        ticks, labels = [zero] + ticks, ["0: dead"] + labels
    bottom = zero if (g == 0).any() else lo
    trace = {"type": "heatmap", **where, "y": list(range(1, n_layers + 1)),
             **heatmap_values(z, bottom, hi, compact and z.size > 0, filled=filled),
             "zmin": bottom, "zmax": hi, "colorscale": "Viridis",
             "colorbar": {"title": {"text": quantity, "side": "right"}, "tickvals": ticks,
                          "ticktext": labels, "thickness": 14},
             "hovertemplate": "step %{x:.0f}, layer %{y}: " + quantity + " = 10^%{z:.1f}<extra></extra>"}
    layout = base_layout("layer_step_heatmap", xaxis=xaxis, yaxis=layer_axis(n_layers),
                         margin={"l": 56, "r": 8, "t": 8, "b": 44, "pad": 0})
    return {"data": [trace], "layout": layout}


def _shares(counts) -> np.ndarray:
    """Counts -> each row's share of its total (a row of zeros stays zeros)."""
    c = np.asarray(counts, np.float64)
    total = c.sum(axis=-1, keepdims=True)
    return np.divide(c, total, out=np.zeros_like(c), where=total > 0)


def _occupied(counts, edges: np.ndarray) -> list[float]:
    """The part of the range that holds values, one empty bin either side kept: the axis follows the data
    (24 decades of log₁₀|dW| would squeeze a run's 6 into a quarter of the chart). Whole range if empty."""
    c = np.asarray(counts).reshape(-1, len(edges) - 1).sum(axis=0)
    used = np.flatnonzero(c)
    if not used.size:
        return [round(float(edges[0]), 3), round(float(edges[-1]), 3)]
    first, last = max(int(used[0]) - 1, 0), min(int(used[-1]) + 2, len(edges) - 1)
    return [round(float(edges[first]), 3), round(float(edges[last]), 3)]


def histogram_over_time_figure(steps, counts, edges, *, what: str, value_label: str, max_columns: int = 128,
                               compact: bool = False) -> dict:
    """TensorBoard's histogram dashboard as a heatmap: x = recorded step, y = value bin, colour = share.

    steps (T,), counts (T, B) of one layer, edges (B + 1,). `what` names the quantity ("activations of
    layer 3"), `value_label` the y axis ("A", "log₁₀|dW|"). The y axis spans the bins the run has
    used (_occupied). At most `max_columns` steps are sent; compact: z as "zcodes".
    """
    e = np.asarray(edges, np.float64)
    centres = (e[:-1] + e[1:]) / 2
    s = np.asarray(steps).reshape(-1)
    keep = _thinned(len(s), max_columns)
    z = _shares(np.asarray(counts).reshape(len(s), -1)[keep]).T          # (B, T)
    top = float(z.max()) if z.size and z.max() > 0 else 1.0
    trace = {"type": "heatmap", "x": integers(s[keep]), "y": rounded(centres, 3),
             **heatmap_values(z, 0.0, top, compact and z.size > 0),
             "zmin": 0, "zmax": round(top, 3), "colorscale": COUNT_SCALE, "showscale": False,
             "hovertemplate": "step %{x}, " + value_label + " ≈ %{y:.2f}: %{z:.0%}<extra>" + what + "</extra>"}
    layout = base_layout("histogram_over_time_" + value_label, xaxis=step_axis(s),
                         yaxis=axis(value_label, range=_occupied(counts, e)),
                         margin={"l": 56, "r": 8, "t": 8, "b": 44, "pad": 0})
    return {"data": [trace], "layout": layout}


def layers_histogram_figure(counts, edges, *, what: str, value_label: str) -> dict:
    """Every layer's histogram at one moment: x = value bin, y = layer, colour = share of the layer.

    counts (L, B), edges (B + 1,) shared by the layers. A vanishing gradient shows as mass sliding
    left layer by layer (towards layer 1).
    """
    e = np.asarray(edges, np.float64)
    centres = (e[:-1] + e[1:]) / 2
    z = _shares(np.atleast_2d(counts))
    n_layers = z.shape[0]
    trace = {"type": "heatmap", "x": rounded(centres, 3), "y": list(range(1, n_layers + 1)), "z": rounded(z, 3),
             "zmin": 0, "colorscale": COUNT_SCALE, "showscale": False,
             "hovertemplate": "layer %{y}, " + value_label + " ≈ %{x:.2f}: %{z:.0%}<extra>" + what + "</extra>"}
    layout = base_layout("layers_histogram_" + value_label, xaxis=axis(value_label, range=_occupied(counts, e)),
                         yaxis=layer_axis(n_layers),
                         margin={"l": 56, "r": 8, "t": 8, "b": 44, "pad": 0})
    return {"data": [trace], "layout": layout}


def variance_figure(predicted, measured) -> dict:
    """Var(Z[l]) / Var(X) per layer on a log axis: measured (dots) beside the theory's product (dashed).

    predicted, measured (L,); nan entries (no prediction) are left out. A grey line marks 1: the
    signal keeping its size.
    """
    p = np.asarray(predicted, np.float64).reshape(-1)
    m = np.asarray(measured, np.float64).reshape(-1)
    n = max(len(p), len(m), 1)
    traces = []
    for values, name, style in ((p, "theory: Π n_in·Var(W)·gain²·c", {"color": INK, "dash": "dash", "width": 2}),
                                (m, "measured", {"color": ORANGE, "width": 2})):
        keep = np.isfinite(values) & (values > 0)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name,
                       "x": integers(np.flatnonzero(keep) + 1), "y": significant(values[keep]), "line": style,
                       "marker": {"size": 7}, "hovertemplate": "layer %{x}: %{y:.3g}<extra>" + name + "</extra>"})
    layout = base_layout(
        "variance_by_layer",
        xaxis=layer_axis(n),
        yaxis=axis("Var(Z[l]) / Var(X)", type="log", showgrid=True, gridcolor="#eeeeee", **log_ticks([p, m, [1.0]])),
        shapes=[{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": 1, "y1": 1,
                 "line": {"color": FAINT, "width": 1}}],
        margin={"l": 64, "r": 12, "t": 30, "b": 44, "pad": 0},
        showlegend=True, legend=compact_legend(), hovermode="closest")
    return {"data": traces, "layout": layout}
