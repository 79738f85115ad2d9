"""How the pages write numbers for a projector: powers with superscript exponents, never e-notation.

One place, so a chart's axis, a verdict and a paper's table write 10⁻³ the same way.
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


def number_text(x: float) -> str:
    """0.5 -> "0.5"; 3.2e-06 -> "3.2·10⁻⁶": readable on a projector, no e-notation."""
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 0.01 <= abs(x) < 1000:
        return f"{x:.2g}"
    exponent = math.floor(math.log10(abs(x)))
    mantissa = x / 10.0 ** exponent
    if round(mantissa, 1) == 10.0:
        mantissa, exponent = 1.0, exponent + 1
    head = "" if round(mantissa, 1) == 1.0 else f"{mantissa:.1f}·"
    return f"{head}{power_of_ten(exponent)}"
