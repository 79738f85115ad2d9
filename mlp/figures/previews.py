"""Thumbnails of the data sets, as small SVG pictures (what TF Playground shows beside its data choice).

SVG rather than a Plotly figure: eight static pictures in a narrow sidebar need no interactivity.
"""
from __future__ import annotations

import numpy as np

from mlp.figures.palette import CLASS_COLOURS, ORANGE, BLUE, WHITE

DOMAIN = 6.0


def value_colour(v: float) -> str:
    """Regression targets: orange (-1) through white (0) to blue (+1)."""
    t = float(np.clip(v, -1.0, 1.0))
    end = BLUE if t > 0 else ORANGE
    r0, g0, b0 = (int(end[i:i + 2], 16) for i in (1, 3, 5))
    a = abs(t)
    r, g, b = (round(255 + (c - 255) * a) for c in (r0, g0, b0))
    return f"#{r:02x}{g:02x}{b:02x}"


def dataset_preview_svg(X, y, *, problem: str, size: int = 64, max_points: int = 200) -> str:
    """X (m, 2) in [-6, 6]², y (m,) labels or targets -> an SVG picture `size` px square."""
    X, y = np.asarray(X)[:max_points], np.asarray(y)[:max_points]
    scale = size / (2 * DOMAIN)
    dots = []
    for (x1, x2), label in zip(X, y):
        colour = value_colour(label) if problem == "regression" else CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]
        cx, cy = (x1 + DOMAIN) * scale, (DOMAIN - x2) * scale          # SVG's y axis points down
        dots.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="1.6" fill="{colour}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">'
            f'<rect width="{size}" height="{size}" fill="{WHITE}" stroke="#cccccc"/>{"".join(dots)}</svg>')
