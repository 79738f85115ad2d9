"""A student's card picture on the class wall: their net's output over the plane, as a small SVG.

SVG, not a Plotly chart: thirty cards redrawn every second must cost the teacher's browser next to
nothing. Cells of one colour next to each other in a row are drawn as one rectangle.
"""
from __future__ import annotations

import numpy as np

from .palette import CLASS_COLOURS
from .previews import _value_colour

LEVELS = 16         # shades of a probability or value (neighbouring cells of one shade merge)


def _colours(cells: np.ndarray, kind: str, n_classes: int) -> np.ndarray:
    """(r, r) values in [0, 1] -> (r, r) colour strings."""
    if kind == "class":
        k = max(n_classes, 2)
        index = np.rint(cells * (k - 1)).astype(int) % len(CLASS_COLOURS)
        return np.asarray(CLASS_COLOURS, dtype=object)[index]
    shades = [_value_colour(2 * (i / (LEVELS - 1)) - 1) for i in range(LEVELS)]
    return np.asarray(shades, dtype=object)[np.rint(np.clip(cells, 0, 1) * (LEVELS - 1)).astype(int)]


def thumbnail_svg(cells: np.ndarray | None, kind: str, n_classes: int = 2, size: int = 96) -> str:
    """cells (r, r) in [0, 1], row j at height y_j rising (the grid's layout, mlp.datasets.grid) -> SVG.
    None (no picture yet) gives a grey square."""
    if cells is None:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
                f'<rect width="{size}" height="{size}" fill="#eeeeee"/></svg>')
    r = cells.shape[0]
    colours = _colours(cells, kind, n_classes)
    cell = size / r
    rects = []
    for j in range(r):
        row, y = colours[j], (r - 1 - j) * cell          # SVG's y axis points down
        i = 0
        while i < r:
            end = i + 1
            while end < r and row[end] == row[i]:
                end += 1
            rects.append(f'<rect x="{i * cell:.1f}" y="{y:.1f}" width="{(end - i) * cell + 0.3:.1f}" '
                         f'height="{cell + 0.3:.1f}" fill="{row[i]}"/>')
            i = end
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
            f'viewBox="0 0 {size} {size}">{"".join(rects)}</svg>')
