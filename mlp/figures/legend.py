"""What the live charts' colours and lines mean: small HTML keys beside the charts.

The live charts are drawn without Plotly's legend (it makes every redraw about twice as slow), so
each gets a key here: the output's colours under the decision boundary, the loss chart's three lines,
the ‖dW‖ chart's layer shades. The colours are the charts' own (palette.py: DIVERGING_SCALE for two classes and for values,
CLASS_COLOURS for three or more classes), so the key cannot drift from the picture. Plain HTML, no
user text in it.
"""
from __future__ import annotations

from mlp.figures.curves import METRIC_COLOUR
from mlp.figures.palette import ALERT, CLASS_COLOURS, DIVERGING_SCALE, INK, sequential_colours

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


_KEY = 'style="font-size:0.78rem;color:{ink};line-height:1.35"'


def _line(colour: str, style: str = "solid", width: float = 2) -> str:
    """A short sample of a line as the chart draws it (style: "solid", "dashed" or "dotted")."""
    return (f'<span style="display:inline-block;width:22px;height:0;border-top:{width}px {style} {colour};'
            'vertical-align:middle;margin:0 4px 0 10px"></span>')


def loss_legend_html(metric_name: str | None) -> str:
    """The small loss chart's lines: training (solid), test (dashed), and the metric (dotted green, on the
    right-hand axis from 0 to 1) when there is one."""
    body = f"{_line(INK)}training loss{_line(INK, 'dashed')}test loss"
    if metric_name:
        body += f"{_line(METRIC_COLOUR, 'dotted', 3)}{metric_name} (right axis, 0 to 1)"
    return f'<div class="mlp-legend" {_KEY.format(ink=INK)}>{body}</div>'


def layers_legend_html(n_layers: int, highlight_layer: int | None = None) -> str:
    """The ‖dW‖ chart's shades, one per layer: layer 1 darkest, the output lightest (grad_norms_over_time_figure),
    the tripped layer (0-based) in red."""
    colours = sequential_colours(n_layers)
    names = [f"layer {l + 1}" if l < n_layers - 1 else f"layer {l + 1} (output)" for l in range(n_layers)]
    body = "".join(_line(ALERT if l == highlight_layer else colours[l], width=3) + names[l] for l in range(n_layers))
    return f'<div class="mlp-legend" {_KEY.format(ink=INK)}>{body}</div>'
