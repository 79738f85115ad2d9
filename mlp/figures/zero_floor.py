"""Zeros on a log axis: drawn on a marked floor ("0: dead"), never left out.

A log axis cannot show 0, and a chart of gradient norms whose every layer went to exactly 0 (every
unit of a ReLU net dead) would otherwise be empty, which reads as "nothing to show" instead of
"the gradient is zero". So a zero is drawn a decade below the smallest positive value in the chart,
on a dotted line labelled "0: dead". NaN and ±inf stay gaps: they are a different story (overflow).
"""
from __future__ import annotations

import math

import numpy as np

from mlp.figures.jsonable import rounded
from mlp.figures.palette import ALERT, FONT_SIZE

ZERO_LABEL = "0: dead"
EMPTY_FLOOR = 1e-12          # the floor when nothing in the chart is positive


def floor_value(*arrays) -> float:
    """A whole decade below the smallest finite positive value of all arrays (EMPTY_FLOOR if none)."""
    smallest = math.inf
    for a in arrays:
        v = np.asarray(a, np.float64).reshape(-1)
        v = v[np.isfinite(v) & (v > 0)]
        if v.size:
            smallest = min(smallest, float(v.min()))
    if not math.isfinite(smallest):
        return EMPTY_FLOOR
    return 10.0 ** (math.floor(math.log10(smallest)) - 1)


def has_zeros(*arrays) -> bool:
    return any(bool(np.any(np.asarray(a, np.float64) == 0)) for a in arrays)


def on_floor(values, floor: float) -> np.ndarray:
    """values as a log axis draws them: exact zeros at `floor`, negatives, NaN and ±inf as NaN (gaps)."""
    v = np.asarray(values, np.float64).reshape(-1)
    return np.where(v == 0, floor, np.where((v > 0) & np.isfinite(v), v, np.nan))


def floor_trace(floor: float, x0: float, x1: float) -> dict:
    """The floor as a dotted red line from x0 to x1, labelled "0: dead" at its left end (a trace, not a
    shape: a trace's y is plain data on a log axis, where a shape's or annotation's would be log10)."""
    return {"type": "scatter", "mode": "lines+text", "name": ZERO_LABEL, "x": rounded([x0, x1], 3),
            "y": [floor, floor], "text": [ZERO_LABEL, ""], "textposition": "top right",
            "textfont": {"color": ALERT, "size": FONT_SIZE}, "line": {"color": ALERT, "width": 1, "dash": "dot"},
            "hoverinfo": "skip", "showlegend": False}
