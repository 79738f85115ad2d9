"""What the output's colours mean: a small HTML key drawn under the decision boundary.

The colours are the boundary's own (palette.py: DIVERGING_SCALE for two classes and for values,
CLASS_COLOURS for three or more classes), so the key cannot drift from the picture. Plain HTML, no
user text in it.
"""
from __future__ import annotations

from mlp.figures.palette import CLASS_COLOURS, DIVERGING_SCALE, INK

_BAR = ("display:inline-block;width:120px;height:10px;vertical-align:middle;border:1px solid #ccc;"
        "background:linear-gradient(to right, {stops});margin:0 6px")
_SWATCH = "display:inline-block;width:10px;height:10px;vertical-align:middle;margin:0 3px 0 8px;background:{colour}"


def output_legend_html(problem: str, n_classes: int) -> str:
    """One line: for two classes and for values a colour bar with its ends named, for more classes a
    swatch per class. problem: "classification" or "regression"."""
    stops = ", ".join(f"{colour} {100 * at:g}%" for at, colour in DIVERGING_SCALE)
    bar = f'<span style="{_BAR.format(stops=stops)}"></span>'
    if problem == "regression":
        body = f"value −1{bar}+1"
    elif n_classes > 2:
        body = "".join(f'<span style="{_SWATCH.format(colour=CLASS_COLOURS[k % len(CLASS_COLOURS)])}"></span>class {k}'
                       for k in range(n_classes))
    else:
        body = f"class 0{bar}class 1 &nbsp;(white: p = 0.5, unsure)"
    return (f'<div class="mlp-legend" style="font-size:0.8rem;color:{INK};line-height:1.4">Colours: {body}<br>'
            "Hover over a neuron to see its output here: orange negative, blue positive.</div>")
