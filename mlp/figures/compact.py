"""Compact heatmap grids: a 2-D float array as base64 uint8, about 6x smaller than JSON numbers.

A 100x100 decision boundary is 10 000 numbers (~60 KB as JSON) sent every frame; as one byte per
cell it is 13 KB of base64. The browser turns it back into z before Plotly.react
(`mlp/ui/plotly_live.py`: z[r][c] = lo + byte * (hi - lo) / 255). 256 levels are more than a colour
scale can show.
"""
from __future__ import annotations

import base64

import numpy as np

from .jsonable import rounded


def encode_grid(z, lo: float, hi: float) -> dict:
    """z (rows, cols) floats -> {"b64", "shape": [rows, cols], "lo", "hi"}.

    Values are mapped linearly from [lo, hi] onto 0..255 (rounded, row-major); values outside are
    clipped to the ends and NaN becomes 0 (i.e. lo). If hi <= lo every cell is 0.
    """
    z = np.asarray(z)
    if z.ndim != 2:
        raise ValueError(f"encode_grid needs a 2-D array, got shape {z.shape}")
    lo, hi = float(lo), float(hi)
    span = hi - lo
    if span > 0 and np.isfinite(span):
        q = (z - lo) * (255.0 / span)
        np.nan_to_num(q, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
        np.clip(q, 0.0, 255.0, out=q)
        # rint then the cast: astype alone would truncate, doubling the worst error
        codes = np.rint(q).astype(np.uint8)
    else:
        codes = np.zeros(z.shape, np.uint8)
    return {"b64": base64.b64encode(codes.tobytes()).decode("ascii"), "shape": [int(n) for n in z.shape],
            "lo": lo, "hi": hi}


def decode_grid(grid: dict) -> np.ndarray:
    """The inverse of encode_grid, as the browser does it: (rows, cols) float64."""
    codes = np.frombuffer(base64.b64decode(grid["b64"]), np.uint8).reshape(grid["shape"])
    return grid["lo"] + codes * ((grid["hi"] - grid["lo"]) / 255.0)


def heatmap_values(z, lo: float, hi: float, compact: bool) -> dict:
    """The part of a heatmap trace that carries z: {"z": lists rounded to 3 places} or {"zb64": grid}."""
    if compact:
        return {"zb64": encode_grid(z, lo, hi)}
    return {"z": rounded(z, 3)}
