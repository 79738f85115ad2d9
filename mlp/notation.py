"""How the pages write numbers for a projector: powers with superscript exponents, never e-notation.

One place, so a chart's axis, a verdict, a metric and a paper's table write 10⁻³ the same way:
- `number_text`: two significant digits, 0.01…1000 plainly, else as a power of ten ("3.2·10⁻⁶");
- `metric_text`: a loss or an error as a metric shows it (fixed decimals), "overflowed" once the numbers
  blew up (NaN, ∞, or beyond OVERFLOWED, which no loss of a toy problem reaches while learning);
- `whole_epochs`: the epoch counter, an integer, as TF Playground counts them.
"""
from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789.", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹·")


def superscript(text: str) -> str:
    """"-3" -> "⁻³", "-14.5" -> "⁻¹⁴·⁵" (digits, minus and the decimal point)."""
    return text.translate(_SUPERSCRIPT)


def power_of_ten(k: int) -> str:
    """-3 -> "10⁻³"."""
    return "10" + superscript(str(int(k)))


def power_of_two(x: float) -> str:
    """0.000043 -> "2⁻¹⁴·⁵" (the exponent to one decimal)."""
    e = round(math.log2(x), 1) + 0.0          # + 0.0: no "-0.0"
    return "2" + superscript(f"{e:.1f}")


OVERFLOWED = 1e6            # a loss or error above this has blown up: its digits mean nothing
OVERFLOWED_TEXT = "overflowed"


def number_text(x: float) -> str:
    """0.5 -> "0.5"; 3.2e-06 -> "3.2·10⁻⁶": readable on a projector, no e-notation; NaN or ±∞ -> "overflowed"."""
    if not math.isfinite(x):
        return OVERFLOWED_TEXT
    if x == 0 or 0.01 <= abs(x) < 1000:
        return f"{x:.2g}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10.0 ** exponent
    if round(mantissa, 1) == 10.0:
        mantissa, exponent = 1.0, exponent + 1
    head = "" if round(mantissa, 1) == 1.0 else f"{mantissa:.1f}·"
    return f"{head}{power_of_ten(exponent)}"


def metric_text(x: float, decimals: int = 3) -> str:
    """A loss or an error as a metric shows it: 0.70412 -> "0.704"; "overflowed" for NaN, ±∞ or beyond
    OVERFLOWED; a finite value too small for `decimals` (but not 0) as a power of ten."""
    if not math.isfinite(x) or abs(x) > OVERFLOWED:
        return OVERFLOWED_TEXT
    if x != 0 and abs(x) < 0.5 * 10.0 ** -decimals:
        return number_text(x)
    return f"{x:,.{decimals}f}"


def whole_epochs(epoch: float) -> int:
    """Whole passes over the training set in `epoch` (examples seen / training points): 147.96 -> 147.
    The small margin keeps 2.9999999999 (a float sum of exact steps) at 3."""
    return int(math.floor(epoch + 1e-9))
