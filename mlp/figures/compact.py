"""Compact heatmap grids: a 2-D float array as uint8 codes, about 6x smaller than JSON numbers.

A 100x100 decision boundary is 10 000 numbers (~60 KB as JSON) sent every frame; as one byte per
cell it is 10 KB, sent as binary beside the payload's JSON (mlp/live/payload.py: chart_payload). The
browser turns it back into z before Plotly.react (`mlp/ui/plotly_live.py`:
z[r][c] = lo + byte * (hi - lo) / 255). 256 levels are more than a colour scale can show.
"""
from __future__ import annotations

import numpy as np

from mlp.figures.jsonable import rounded


def _codes(z: np.ndarray, lo, hi) -> np.ndarray:
    """Any-shape floats -> uint8 codes over [lo, hi]: clipped, NaN -> 0, rounded to nearest.

    lo and hi are numbers, or arrays broadcasting against z (a range per block). An empty or
    non-finite range codes everything 0.
    """
    span = np.asarray(hi, dtype=np.float64) - lo
    usable = (span > 0) & np.isfinite(span)
    q = (z - lo) * np.where(usable, 255.0 / np.where(usable, span, 1.0), 0.0)
    # fmax/fmin return the non-NaN operand: NaN -> 0 and +-inf -> 255 / 0 in the same two passes
    np.fmax(q, 0.0, out=q)
    np.fmin(q, 255.0, out=q)
    # rint before the cast: astype alone would truncate, doubling the worst error
    return np.rint(q, out=q).astype(np.uint8)


def _grid_dict(codes: np.ndarray, lo: float, hi: float) -> dict:
    return {"codes": codes.tobytes(), "shape": [int(n) for n in codes.shape], "lo": lo, "hi": hi}


def encode_grid(z, lo: float, hi: float) -> dict:
    """z (rows, cols) floats -> {"codes": bytes, "shape": [rows, cols], "lo", "hi"}.

    Values are mapped linearly from [lo, hi] onto 0..255 (rounded, row-major); values outside are
    clipped to the ends and NaN becomes 0 (i.e. lo). If hi <= lo every cell is 0.
    """
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(f"encode_grid needs a 2-D array, got shape {z.shape}")
    lo, hi = float(lo), float(hi)
    return _grid_dict(_codes(z, lo, hi), lo, hi)


def encode_blocks(stack, lo: float, hi: float, gap: int) -> dict:
    """stack (n, rows, cols) -> ONE grid of the blocks stacked bottom-up, `gap` empty rows between them.

    The gap rows are not sent: {"block": rows, "gap": gap} tells the decoder where to put them (as
    None, which Plotly leaves blank). "shape" is the decoded shape, (n * rows + (n - 1) * gap, cols).
    One heatmap per network layer instead of one per neuron: far fewer traces to send and to draw.
    """
    stack = np.asarray(stack, dtype=np.float64)
    if stack.ndim != 3:
        raise ValueError(f"encode_blocks needs a 3-D array, got shape {stack.shape}")
    return _blocks_dict(_codes(stack, float(lo), float(hi)), float(lo), float(hi), gap)


def encode_block_groups(stack, sizes, lo, hi, gap: int) -> list[dict]:
    """encode_blocks of consecutive groups of blocks, each over its own range, coded in one pass.

    stack (N, rows, cols); sizes: how many blocks each group takes (summing to N); lo, hi: one
    number per group. A network layer is a group: one heatmap, one colour scale (network_view.py).
    """
    stack = np.asarray(stack, dtype=np.float64)
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    per_block = np.repeat(np.arange(len(sizes)), sizes)
    codes = _codes(stack, lo[per_block, None, None], hi[per_block, None, None])
    starts = np.cumsum([0, *sizes]).tolist()
    return [_blocks_dict(codes[a:b], float(l), float(h), gap) for a, b, l, h in zip(starts, starts[1:], lo, hi)]


def _blocks_dict(codes: np.ndarray, lo: float, hi: float, gap: int) -> dict:
    n, rows, cols = codes.shape
    grid = _grid_dict(codes, lo, hi)
    grid.update(shape=[n * rows + max(n - 1, 0) * gap, cols], block=rows, gap=gap)
    return grid


def stack_blocks(stack, gap: int) -> np.ndarray:
    """What encode_blocks stands for, unencoded: (n * rows + (n - 1) * gap, cols) with NaN gap rows."""
    stack = np.asarray(stack, dtype=np.float64)
    n, rows, cols = stack.shape
    out = np.full((n * rows + max(n - 1, 0) * gap, cols), np.nan)
    for k in range(n):
        out[k * (rows + gap):k * (rows + gap) + rows] = stack[k]
    return out


def decode_grid(grid: dict) -> np.ndarray:
    """The inverse of encode_grid / encode_blocks, as the browser does it: (rows, cols) float64, the
    columns from "filled" on (when given) NaN: blank."""
    codes = np.frombuffer(grid["codes"], np.uint8)
    values = grid["lo"] + codes * ((grid["hi"] - grid["lo"]) / 255.0)
    if "block" not in grid:
        values = values.reshape(grid["shape"])
        if "filled" in grid:
            values[:, grid["filled"]:] = np.nan
        return values
    cols = grid["shape"][1]
    return stack_blocks(values.reshape(-1, grid["block"], cols), grid["gap"])


def heatmap_values(z, lo: float, hi: float, compact: bool, filled: int | None = None) -> dict:
    """The part of a heatmap trace that carries z: {"z": lists rounded to 3 places} or {"zcodes": grid}.

    filled: only the first `filled` columns hold values, the others are blank (None; in a grid, its
    "filled" tells the browser, and their codes are 0)."""
    if filled is not None:
        z = np.array(z, dtype=np.float64)
        z[:, filled:] = np.nan
    if compact:
        grid = encode_grid(z, lo, hi)
        return {"zcodes": grid if filled is None else {**grid, "filled": filled}}
    return {"z": rounded(z, 3)}


def heatmap_values_blocks(stack, lo: float, hi: float, gap: int, compact: bool) -> dict:
    """heatmap_values of the blocks of stack (n, rows, cols) stacked bottom-up with gap blank rows."""
    if compact:
        return {"zcodes": encode_blocks(stack, lo, hi, gap)}
    return {"z": rounded(stack_blocks(stack, gap), 3)}
