"""A student's card picture on the class wall: their net's output over the plane, as a small SVG.

SVG, not a Plotly chart: thirty cards redrawn every second must cost the teacher's browser next to
nothing. Cells of one colour next to each other in a row are drawn as one rectangle.

The wall itself sends `thumbnail_png`: the same colours, one pixel a cell (the browser scales it up,
pixelated), about 0.3 KB where the SVG's data URL was about 10 KB. Thirty of those every second were
most of the bytes the wall's worker serialised and sent (bench/class_wall.py).
"""
from __future__ import annotations

import struct
import zlib

import numpy as np

from mlp.figures.palette import CLASS_COLOURS
from mlp.figures.previews import value_colour

LEVELS = 16         # shades of a probability or value (neighbouring cells of one shade merge)


def _colours(cells: np.ndarray, kind: str, n_classes: int) -> np.ndarray:
    """(r, r) values in [0, 1] -> (r, r) colour strings."""
    if kind == "class":
        k = max(n_classes, 2)
        index = np.rint(cells * (k - 1)).astype(int) % len(CLASS_COLOURS)
        return np.asarray(CLASS_COLOURS, dtype=object)[index]
    shades = [value_colour(2 * (i / (LEVELS - 1)) - 1) for i in range(LEVELS)]
    return np.asarray(shades, dtype=object)[np.rint(np.clip(cells, 0, 1) * (LEVELS - 1)).astype(int)]


def thumbnail_svg(cells: np.ndarray | None, kind: str, n_classes: int = 2, size: int = 96) -> str:
    """cells (r, r) in [0, 1], row j at height y_j rising (the grid's layout, mlp.engine.datasets.grid) -> SVG.
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


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _rgb(hexes) -> np.ndarray:
    return np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in hexes], np.uint8)


_SHADES_RGB = _rgb([value_colour(2 * (i / (LEVELS - 1)) - 1) for i in range(LEVELS)])
_CLASSES_RGB = _rgb(CLASS_COLOURS)


def thumbnail_png(cells: np.ndarray | None, kind: str, n_classes: int = 2) -> bytes:
    """cells (r, r) in [0, 1] (rows rising, as thumbnail_svg) -> an r x r RGB PNG, top row first, in
    thumbnail_svg's colours. None gives a 1 x 1 grey pixel (the browser scales it to the card's size)."""
    if cells is None:
        rgb = np.full((1, 1, 3), 0xEE, np.uint8)
    elif kind == "class":                       # the palette lookups of _colours, on RGB rows at once
        k = max(n_classes, 2)
        rgb = _CLASSES_RGB[np.rint(cells[::-1] * (k - 1)).astype(int) % len(_CLASSES_RGB)]
    else:
        rgb = _SHADES_RGB[np.rint(np.clip(cells[::-1], 0, 1) * (LEVELS - 1)).astype(int)]
    h, w = rgb.shape[:2]
    rows = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, 3 * w)], axis=1)   # filter 0 per row
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b""))
