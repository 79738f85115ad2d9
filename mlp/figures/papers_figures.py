"""The papers' figures (mlp/lab/papers.py): per-layer statistics at initialisation, as a plain dict.

Three panels side by side, like the paper's three figures — the activations A[l], the
back-propagated gradients δ[l], the weight gradients dW[l] — each a statistic per hidden layer on
its own log axis, one line per initialisation. Nothing here imports Streamlit or Plotly.
"""
from __future__ import annotations

import numpy as np

from mlp.figures.jsonable import integers, significant
from mlp.figures.axes import axis, layer_axis, log_ticks
from mlp.figures.palette import base_layout, compact_legend

PANELS = (("activations", "A[l]"), ("deltas", "δ[l]"), ("weight_grads", "dW[l]"))
GAP = 0.07          # between two panels, a share of the figure's width


def layer_statistics_figure(series, *, statistic: str) -> dict:
    """series = [(name, colour, stats), ...], stats with arrays .activations, .deltas, .weight_grads (L,)
    (a papers.LayerStats); statistic = "variance" or "std" names the y axes. Zero and non-finite values
    are left out (a log axis cannot show them)."""
    word = "Var" if statistic == "variance" else "std"
    width = (1 - GAP * (len(PANELS) - 1)) / len(PANELS)
    traces, layout = [], base_layout("paper_layer_statistics", margin={"l": 64, "r": 12, "t": 56, "b": 44, "pad": 0},
                                     showlegend=True, legend=compact_legend(y=1.12), hovermode="closest")
    annotations = []
    for i, (field, symbol) in enumerate(PANELS):
        suffix = "" if i == 0 else str(i + 1)
        n_layers, panel = 1, []
        for name, colour, stats in series:
            v = np.asarray(getattr(stats, field), np.float64).reshape(-1)
            n_layers = max(n_layers, len(v))
            panel.append(v)
            keep = np.isfinite(v) & (v > 0)
            traces.append({"type": "scatter", "mode": "lines+markers", "name": name, "legendgroup": name,
                           "showlegend": i == 0, "x": integers(np.flatnonzero(keep) + 1), "y": significant(v[keep]),
                           "xaxis": "x" + suffix, "yaxis": "y" + suffix,
                           "line": {"color": colour, "width": 2}, "marker": {"size": 6},
                           "hovertemplate": f"layer %{{x}}: {word}({symbol}) = %{{y:.3g}}<extra>{name}</extra>"})
        left = i * (width + GAP)
        layout["xaxis" + suffix] = {**layer_axis(n_layers, "hidden layer l"), "domain": [left, left + width],
                                    "anchor": "y" + suffix}
        layout["yaxis" + suffix] = {**axis("" if i else word, type="log", showgrid=True, gridcolor="#eeeeee",
                                            **log_ticks(panel)), "anchor": "x" + suffix}
        annotations.append({"text": f"<b>{word}({symbol})</b>", "x": left + width / 2, "y": 1.0, "xref": "paper",
                            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False})
    layout["annotations"] = annotations
    return {"data": traces, "layout": layout}
