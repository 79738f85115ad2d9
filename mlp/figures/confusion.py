"""The confusion matrix as an annotated heatmap."""
from __future__ import annotations

import numpy as np

from mlp.figures.jsonable import integers
from mlp.figures.palette import COUNT_SCALE, FONT_SIZE, base_layout


def confusion_matrix_figure(matrix, class_names) -> dict:
    """matrix (K, K) counts, rows = true class, columns = predicted; class_names: K labels.

    The diagonal (right answers) runs from top left to bottom right; each cell shows its count.
    """
    m = np.asarray(matrix)
    k = m.shape[0] if m.ndim == 2 else 0
    names = [str(n) for n in class_names]
    z = [integers(row) for row in m.reshape(k, k)] if k else []
    trace = {
        "type": "heatmap",
        "x": names,
        "y": names,
        "z": z,
        "zmin": 0,
        "zmax": max(1, int(m.max())) if m.size else 1,
        "colorscale": COUNT_SCALE,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "texttemplate": "%{z}",
        "textfont": {"size": FONT_SIZE + 2},
        "hovertemplate": "true %{y}, predicted %{x}: %{z}<extra></extra>",
    }
    category = {"type": "category", "showgrid": False, "zeroline": False, "ticks": ""}
    layout = base_layout(
        "confusion_matrix",
        xaxis={**category, "title": {"text": "predicted", "standoff": 4}, "side": "bottom"},
        # reversed: true class 0 on the top row, as the matrix is written
        yaxis={**category, "title": {"text": "true", "standoff": 4}, "autorange": "reversed",
               "scaleanchor": "x", "scaleratio": 1},
        margin={"l": 64, "r": 8, "t": 8, "b": 48, "pad": 0},
    )
    return {"data": [trace], "layout": layout}
