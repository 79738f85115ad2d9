"""Axes the labs' figures share: a plain titled axis, recorded steps on x, layers 1..L."""
from __future__ import annotations

import numpy as np

from mlp.figures.jsonable import integers
from mlp.figures.palette import FAINT


def axis(title: str, **extra) -> dict:
    """A titled axis without grid or zero line, its line faint."""
    return {"title": {"text": title, "standoff": 4}, "showgrid": False, "zeroline": False,
            "showline": True, "linecolor": FAINT, "automargin": True, **extra}


def step_axis(steps) -> dict:
    """Recorded steps on x; a single one gets its own tick (not -0.4 … 0.4 around it)."""
    s = np.asarray(steps).reshape(-1)
    return axis("step") if len(s) > 1 else axis("step", tickmode="array", tickvals=integers(s))


def layer_axis(n_layers: int, title: str = "layer") -> dict:
    """Layers 1..L upward; every layer ticked while that stays readable."""
    ticks = {"tickmode": "linear", "tick0": 1, "dtick": 1} if n_layers <= 20 else {}
    return axis(title, range=[0.5, n_layers + 0.5], **ticks)
