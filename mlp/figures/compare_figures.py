"""Figures of the Compare page: two runs' loss curves overlaid, and their gradient norm per layer.

Side A is drawn solid and side B dashed, each in its own colour, in every chart, so a glance tells
which line is which. Plain dicts, like every builder in mlp.figures; nothing here imports Streamlit.
"""
from __future__ import annotations

import numpy as np

from mlp.figures.axes import log_ticks, stepped_log_axis, whole_steps
from mlp.figures.curves import for_log_axis, grid_axis, line_mode, steps_x
from mlp.figures.jsonable import integers, significant
from mlp.figures.palette import ALERT, FAINT, base_layout, compact_legend
from mlp.figures.zero_floor import floor_trace, floor_value, has_zeros

SIDE_STYLE = {"A": {"color": "#1b9e77", "width": 2.5},                     # teal, solid
              "B": {"color": "#7570b3", "width": 2.5, "dash": "dash"}}     # violet, dashed


def loss_pair_figure(curves: dict[str, tuple], *, log_y: bool = False, diverged: dict | None = None) -> dict:
    """Training loss against step for each side, in one chart.

    curves: side name ("A", "B") -> (steps (T,), train_loss (T,)); T may be 0. log_y: a log loss
    axis (values <= 0 and non-finite ones left out). diverged: side -> the step it diverged at (or
    None): a red cross at that step, at the height of the side's last finite loss, labelled "A diverged".
    """
    traces, crosses, shown, all_steps = [], [], [], [np.zeros(0)]
    for side, (steps, loss) in curves.items():
        s = np.asarray(steps, dtype=np.float64).reshape(-1)
        all_steps.append(s)
        v = for_log_axis(loss) if log_y else np.asarray(loss, dtype=np.float64).reshape(-1)
        shown.append(v)
        traces.append({"type": "scatter", "mode": line_mode(len(s)), "name": f"{side} training loss", **steps_x(s),
                       "y": significant(v), "line": SIDE_STYLE[side], "marker": {"color": SIDE_STYLE[side]["color"]},
                       "hovertemplate": f"{side}: " + "%{y:.4g}<extra></extra>"})
        at = (diverged or {}).get(side)
        finite = v[np.isfinite(v)]
        if at is not None and finite.size:
            crosses.append({"type": "scatter", "mode": "markers+text", "name": f"{side} diverged",
                            "x": [int(at)], "y": significant(finite[-1:]), "text": [f"{side} diverged"],
                            "textposition": "middle right", "textfont": {"color": ALERT},
                            "marker": {"symbol": "x", "size": 14, "color": ALERT},
                            "hovertemplate": f"{side} diverged at step {int(at)}<extra></extra>"})
    layout = base_layout(
        "compare_loss",
        xaxis=grid_axis("step", rangemode="tozero", **whole_steps(np.concatenate(all_steps))),
        yaxis=grid_axis("training loss", type="log" if log_y else "linear",
                    **(log_ticks(shown) if log_y else {"rangemode": "tozero"})),
        margin={"l": 60, "r": 12, "t": 30, "b": 44, "pad": 0},
        showlegend=True,
        legend=compact_legend(),
        hovermode="x unified",
    )
    return {"data": traces + crosses, "layout": layout}


def grad_norms_pair_figure(norms: dict[str, np.ndarray]) -> dict:
    """‖dW[l]‖ against layer l for each side, on one log axis: a falling line is vanishing gradients.

    norms: side -> (L,) the gradient norm of each layer (layer l in entry l-1); the sides may have
    different depths. Exact zeros sit on a dotted "0: dead" floor (zero_floor.py); non-finite values
    are left out, and a note above the plot names the layers whose norm overflowed (∞ or NaN).
    """
    traces, deepest, notes = [], 1, []
    floor = floor_value(*norms.values())
    for side, values in norms.items():
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        deepest = max(deepest, v.size)
        v = np.where(v == 0, floor, v)
        keep = np.isfinite(v) & (v > 0)
        overflowed = np.flatnonzero(~np.isfinite(v)) + 1
        if overflowed.size:
            notes.append(f"{side}: ‖dW‖ of layer{'s' if overflowed.size > 1 else ''} "
                         f"{', '.join(map(str, overflowed.tolist()))} overflowed")
        traces.append({"type": "scatter", "mode": "lines+markers", "name": f"{side} ‖dW[l]‖",
                       "x": integers(np.flatnonzero(keep) + 1), "y": significant(v[keep]),
                       "line": SIDE_STYLE[side], "marker": {"size": 8, "color": SIDE_STYLE[side]["color"]},
                       "hovertemplate": f"{side}, layer " + "%{x}: %{y:.3g}<extra></extra>"})
    if has_zeros(*norms.values()):
        traces.append(floor_trace(floor, 0.5, deepest + 0.5))
    xaxis = {"title": {"text": "layer l (1 = first hidden, last = output)", "standoff": 4}, "showgrid": False,
             "zeroline": False, "showline": True, "linecolor": FAINT, "range": [0.5, deepest + 0.5]}
    if deepest <= 20:
        xaxis.update(tickmode="linear", tick0=1, dtick=1)
    layout = base_layout(
        "compare_grad_norms",
        xaxis=xaxis,
        # whole decades, not autorange: a playing frame then moves only the lines and markers (painted in
        # place by mlp/ui/plotly_live.js); autoranged, the playing chart now and then lost its autorange
        # in plotly.js and stayed at 0.1 to 10⁴, its lines off the plot (about one run in two, 1920x1080)
        yaxis=grid_axis("‖dW[l]‖", type="log",
                    **stepped_log_axis([np.where(np.asarray(v, np.float64) == 0, floor, v) for v in norms.values()])),
        margin={"l": 64, "r": 12, "t": 30, "b": 44, "pad": 0},
        showlegend=True,
        legend=compact_legend(),
        hovermode="closest",
    )
    if notes:
        layout["annotations"] = [{"text": "; ".join(notes), "x": 1.0, "y": 1.0, "xref": "paper", "yref": "paper",
                                  "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                                  "font": {"size": 13, "color": ALERT}}]
    return {"data": traces, "layout": layout}
