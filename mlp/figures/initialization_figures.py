"""Figures of the Initialization lab: one line per init scheme, each in its own colour.

Plain dicts like every builder here; nothing imports Streamlit or Plotly.
"""
from __future__ import annotations

import numpy as np

from mlp.figures.axes import axis, layer_axis, step_axis, stepped_log_axis, stepped_step_range
from mlp.figures.jsonable import integers, significant
from mlp.figures.palette import CLASS_COLOURS, base_layout, compact_legend

# One colour per series (init scheme): the class colours, then five more (one per registered init).
SERIES_COLOURS = (*CLASS_COLOURS, "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#1f3b73")


def series_colour(index: int) -> str:
    return SERIES_COLOURS[index % len(SERIES_COLOURS)]


def loss_comparison_figure(series, *, log_y: bool = True) -> dict:
    """Training loss against step, one line per series: series = [(name, colour, steps, loss), ...]."""
    traces, values, all_steps = [], [], [np.zeros(0)]
    for name, colour, steps, loss in series:
        v = np.asarray(loss, np.float64).reshape(-1)
        if log_y:
            v = np.where(v > 0, v, np.nan)
        values.append(v)
        all_steps.append(np.asarray(steps, np.float64).reshape(-1))
        traces.append({"type": "scatter", "mode": "lines+markers" if len(v) < 3 else "lines", "name": name,
                       "x": integers(steps), "y": significant(v),
                       # every point drawn, as the live chart paints them in place
                       "line": {"color": colour, "width": 2, "simplify": False},
                       "hovertemplate": "step %{x}: %{y:.4g}<extra>" + name + "</extra>"})
    # The race is drawn while playing: its axes end on rungs (steps) and whole decades (loss), so that
    # most frames move only the lines and are painted in place (mlp/ui/plotly_live.js: paintInPlace).
    steps = np.concatenate(all_steps)
    end = stepped_step_range(steps)
    stepped = {"range": end} if end else {"rangemode": "tozero"}
    layout = base_layout(
        "loss_comparison",
        xaxis=step_axis(steps, **stepped, showgrid=True, gridcolor="#eeeeee"),
        yaxis=axis("training loss", type="log" if log_y else "linear", showgrid=True, gridcolor="#eeeeee",
                    **(stepped_log_axis(values) if log_y else {"rangemode": "tozero"})),
        margin={"l": 64, "r": 12, "t": 30, "b": 44, "pad": 0},
        showlegend=True, legend=compact_legend(), hovermode="closest")
    return {"data": traces, "layout": layout}


def layer_spread_figure(series, at_start=None) -> dict:
    """Std of each hidden layer's activations, one line per series: [(name, colour, stds (L,)), ...];
    `at_start`, the same at step 0, drawn dotted and faint (while training moves the solid lines).

    Log axis over whole decades: a spread collapsing towards 0 layer by layer is a signal dying out.
    """
    traces, n, values = [], 1, []
    for name, colour, stds in at_start or ():
        v = np.asarray(stds, np.float64).reshape(-1)
        values.append(v)
        keep = np.isfinite(v) & (v > 0)
        traces.append({"type": "scatter", "mode": "lines", "name": f"{name} at step 0", "showlegend": False,
                       "x": integers(np.flatnonzero(keep) + 1), "y": significant(v[keep]), "opacity": 0.45,
                       "line": {"color": colour, "width": 1.5, "dash": "dot"},
                       "hovertemplate": "layer %{x}: std %{y:.3g} at step 0<extra>" + name + "</extra>"})
    for name, colour, stds in series:
        v = np.asarray(stds, np.float64).reshape(-1)
        values.append(v)
        n = max(n, len(v))
        keep = np.isfinite(v) & (v > 0)
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name,
                       "x": integers(np.flatnonzero(keep) + 1), "y": significant(v[keep]),
                       "line": {"color": colour, "width": 2}, "marker": {"size": 7},
                       "hovertemplate": "layer %{x}: std %{y:.3g}<extra>" + name + "</extra>"})
    layout = base_layout(
        "layer_spread",
        xaxis=layer_axis(n, "hidden layer"),
        # whole decades: a playing frame moves only the lines and markers (painted in place by
        # mlp/ui/plotly_live.js) until a spread crosses a power of ten
        yaxis=axis("std of activations", type="log", showgrid=True, gridcolor="#eeeeee", **stepped_log_axis(values)),
        margin={"l": 64, "r": 12, "t": 30, "b": 44, "pad": 0},
        showlegend=True, legend=compact_legend(), hovermode="closest")
    return {"data": traces, "layout": layout}
