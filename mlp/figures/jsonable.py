"""NumPy arrays -> short JSON-ready lists, or typed arrays for the live charts.

Figures are serialised and sent to the browser every animation frame, so numbers are rounded to
what a plot can show (a float32 loss would otherwise print as 0.12345600128173828). Non-finite
values become None: JSON has no NaN, and Plotly draws None as a gap.
"""
from __future__ import annotations

import numpy as np


def _with_gaps(rounded: np.ndarray, finite: np.ndarray) -> list:
    if finite.all():
        return rounded.tolist()
    out = rounded.astype(object)
    out[~finite] = None
    return out.tolist()


def rounded(values, decimals: int = 3) -> list:
    """Any-shape array -> nested lists of floats rounded to `decimals` places (NaN/inf -> None)."""
    v = np.asarray(values, dtype=np.float64)
    # np.round computes rint(x * 10**d) / 10**d: the nearest double to a short decimal, so json
    # prints it short.
    return _with_gaps(np.round(v, decimals), np.isfinite(v))


def significant(values, digits: int = 4) -> list:
    """1-D array -> list of floats with `digits` significant digits (NaN/inf -> None).

    Significant rather than fixed decimals: losses and gradient norms span 1e-12..1e3 on log axes.
    """
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    finite = np.isfinite(v)
    out = np.where(finite, v, 0.0)
    nonzero = out != 0
    if nonzero.any():
        x = out[nonzero]
        k = digits - 1 - np.floor(np.log10(np.abs(x)))        # decimals to keep, per value
        up = k >= 0
        r = np.empty_like(x)
        # Divide an integer by an exact power of ten (or multiply by one) so the result is the
        # double nearest the short decimal, which json then prints in full as that decimal.
        scale = 10.0 ** k[up]
        r[up] = np.round(x[up] * scale) / scale
        scale = 10.0 ** -k[~up]
        r[~up] = np.round(x[~up] / scale) * scale
        out[nonzero] = r
    return _with_gaps(out, finite)


_TYPED = {"f4": np.float32, "u1": np.uint8, "i4": np.int32}


def typed_array(values, dtype: str = "f4") -> dict:
    """Any-shape array -> Plotly's typed-array spec with raw bytes: float32 (or uint8, int32), no number printed.

    plotly.js (2.28 and later) decodes {"dtype", "bdata", "shape"} itself wherever it takes an array,
    bdata as base64 or as an ArrayBuffer; a 2-D shape gives rows (customdata per point). Here bdata
    is `bytes`: the live chart's payload carries it as binary beside the JSON (mlp/live/frame.py:
    chart_payload), neither base64-encoded nor escaped. NaN stays NaN, which Plotly draws as a gap,
    like None in a list. Building one costs a few microseconds where a list of rounded floats costs
    one Python object per number (the network view has thousands).
    """
    v = np.ascontiguousarray(values, dtype=_TYPED[dtype])
    spec = {"dtype": dtype, "bdata": v.tobytes()}
    if v.ndim > 1:
        spec["shape"] = ",".join(str(n) for n in v.shape)
    return spec


def decode_typed_array(spec: dict) -> np.ndarray:
    """The inverse of typed_array, as plotly.js reads it."""
    v = np.frombuffer(spec["bdata"], _TYPED[spec["dtype"]])
    return v.reshape([int(n) for n in spec["shape"].split(",")]) if "shape" in spec else v


def is_typed_array(value) -> bool:
    return isinstance(value, dict) and "bdata" in value and "dtype" in value


def integers(values) -> list:
    """1-D array of whole numbers (steps, counts) -> list of Python ints."""
    return np.asarray(values).reshape(-1).astype(np.int64).tolist()
