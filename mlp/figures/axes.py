"""Axes the figures share: a plain titled axis, recorded steps on x, layers 1..L, log ticks."""
from __future__ import annotations

import math

import numpy as np

from mlp.notation import number_text, power_of_ten
from mlp.figures.palette import FAINT

MAX_LOG_LABELS = 7          # a log axis labels at most this many powers of ten (every n-th over more)
# The rungs of a stepped axis end, per power of ten: a playing chart's range moves only when its data
# passes a rung (each at most 25% above the one before), so most frames leave the axes as drawn and the
# browser repaints just the lines (mlp/ui/plotly_live.js: paintInPlace), a tenth of a full redraw.
RUNGS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def axis(title: str, **extra) -> dict:
    """A titled axis without grid or zero line, its line faint."""
    return {"title": {"text": title, "standoff": 4}, "showgrid": False, "zeroline": False,
            "showline": True, "linecolor": FAINT, "automargin": True, **extra}


def step_axis(steps, **extra) -> dict:
    """Recorded steps on x, labelled with whole steps only: a run of fewer than ten steps (or none yet)
    gets a tick per step over a range around them (Plotly would write 0, 0.2 … 1, or -0.5 … 1.5)."""
    return axis("step", **whole_steps(steps), **extra)


def whole_steps(steps) -> dict:
    """Axis keys that keep a step axis on whole numbers (empty when Plotly's own ticks already are)."""
    s = np.asarray(steps, dtype=np.float64).reshape(-1)
    s = s[np.isfinite(s)]
    lo, hi = (float(s.min()), float(s.max())) if s.size else (0.0, 0.0)
    if hi - lo >= 10:
        return {}
    return {"range": [lo - 0.5, max(hi, lo + 1) + 0.5], "tickmode": "linear", "tick0": 0, "dtick": 1}


def layer_axis(n_layers: int, title: str = "layer") -> dict:
    """Layers 1..L upward; every layer ticked while that stays readable."""
    ticks = {"tickmode": "linear", "tick0": 1, "dtick": 1} if n_layers <= 20 else {}
    return axis(title, range=[0.5, n_layers + 0.5], **ticks)


def log_ticks(values) -> dict:
    """Ticks of a log axis over these values (arrays of any shape; <= 0, NaN and inf left out), every
    label saying what it is: the powers of ten ("10⁻³", "0.1", "1", "10"), every n-th of them when a run
    has exploded across dozens of decades; within two decades also 2 and 5 times them, written in full
    ("0.2", "5·10⁻³") - never a bare "2, 10⁻¹, 5" whose minor labels read as other numbers. Under one
    decade the range is widened to a decade around the values, so a power of ten is always in view.
    Returns layout keys for the axis: tickmode, tickvals, ticktext (and range when widened)."""
    v = np.concatenate([np.asarray(x, dtype=np.float64).reshape(-1) for x in values] or [np.zeros(0)])
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {}
    lo, hi = float(np.log10(v.min())), float(np.log10(v.max()))
    extra = {}
    if hi - lo < 1:
        centre = (lo + hi) / 2
        lo, hi = centre - 0.6, centre + 0.6
        extra["range"] = [round(lo, 4), round(hi, 4)]
    first, last = math.floor(lo), math.ceil(hi)
    if hi - lo <= 2.2:
        marks = [m * 10.0 ** k for k in range(first, last + 1) for m in (1, 2, 5)]
    else:
        every = max(1, math.ceil((last - first + 1) / MAX_LOG_LABELS))
        marks = [10.0 ** k for k in range(first - first % every, last + 1, every)]
    marks = [m for m in marks if lo - 1e-9 <= math.log10(m) <= hi + 1e-9]
    return {"tickmode": "array", "tickvals": [float(f"{m:.3g}") for m in marks],
            "ticktext": [_log_label(m) for m in marks], **extra}


def _log_label(x: float) -> str:
    """1, 10, 0.1 and 0.01 plainly; other powers of ten as 10ᵏ; 2 and 5 times them in full."""
    k = math.floor(math.log10(x) + 1e-9)
    if abs(x / 10.0 ** k - 1) < 1e-9 and not -2 <= k <= 1:
        return power_of_ten(k)
    return number_text(x)


def stepped_end(value: float) -> float:
    """The smallest rung (RUNGS x a power of ten) >= value: where a playing chart's axis ends, so that
    it moves seldom. value <= 0 or not finite: 1."""
    if not (math.isfinite(value) and value > 0):
        return 1.0
    scale = 10.0 ** math.floor(math.log10(value))
    return next(float(f"{r * scale:.6g}") for r in RUNGS if r * scale >= value * (1 - 1e-12))


def stepped_step_range(steps) -> list[float] | None:
    """[0, the rung above the last step] for a playing chart's step axis; None where the axis keeps its
    own rule (fewer than ten steps: a tick per step; a negative step: no 0 to start from)."""
    s = np.asarray(steps, dtype=np.float64).reshape(-1)
    s = s[np.isfinite(s)]
    if not s.size or s.max() - s.min() < 10 or s.min() < 0:
        return None
    return [0, stepped_end(float(s.max()))]


# A stepped log axis keeps this many decades between its ends and the values: a value just under a
# power of ten (tanh's spread of 0.97 under 1) would sit on the plot's edge, its marker cut and under
# the legend above the plot.
LOG_HEADROOM = 0.1


def stepped_log_axis(values) -> dict:
    """Layout keys for a playing log axis that moves seldom: whole decades around the values (arrays of
    any shape; <= 0, NaN and inf left out), at least LOG_HEADROOM of a decade from either end, ticked as
    log_ticks ticks that span. The range changes only when a value crosses a power of ten (give or take
    the headroom), so most frames leave the axis as drawn. Empty: no value."""
    v = np.concatenate([np.asarray(x, dtype=np.float64).reshape(-1) for x in values] or [np.zeros(0)])
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return {}
    first = math.floor(np.log10(v.min()) - LOG_HEADROOM)
    last = max(math.ceil(np.log10(v.max()) + LOG_HEADROOM), first + 1)
    return {**log_ticks([np.array([10.0 ** first, 10.0 ** last])]), "range": [first, last]}
