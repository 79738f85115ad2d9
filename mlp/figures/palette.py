"""Shared colours, fonts and the base layout every figure starts from.

TensorFlow Playground's colours: orange for negative values and class 0, blue for positive values
and class 1, white in between. Multi-class sets get five distinct colours whose first two are that
same orange and blue, so a class keeps its colour when the set changes from binary to multi-class.
"""
from __future__ import annotations

ORANGE = "#f59322"          # negative / class 0
BLUE = "#0877bd"            # positive / class 1
WHITE = "#ffffff"
INK = "#333333"             # text, outlines, neutral lines
FAINT = "#9a9a9a"           # secondary lines, cell borders
ALERT = "#d62728"           # something to look at now: a tripped layer

CLASS_COLOURS = (ORANGE, BLUE, "#2ca25f", "#8e44ad", "#d6336c")   # up to 5 classes

# Orange -> white -> blue over the scale's range; diverging, so the middle (0.5 or 0) reads as "unsure".
DIVERGING_SCALE = [[0.0, ORANGE], [0.5, WHITE], [1.0, BLUE]]
# White -> blue, for counts (confusion matrix).
COUNT_SCALE = [[0.0, WHITE], [1.0, BLUE]]
# Dark -> light, for ordered things such as layers 1..L (dark navy to pale blue, all visible on white).
SEQUENTIAL_DARK = (8, 48, 107)
SEQUENTIAL_LIGHT = (140, 190, 225)

FONT_SIZE = 14              # projector-readable minimum
FONT = {"size": FONT_SIZE, "color": INK, "family": "Helvetica, Arial, sans-serif"}


def class_colour_scale(n_classes: int) -> list:
    """A stepped colour scale for class indices 0..K-1 drawn with zmin = -0.5, zmax = K - 0.5.

    Each class owns the band [k/K, (k+1)/K], so a value k is painted exactly CLASS_COLOURS[k].
    """
    k = max(1, min(int(n_classes), len(CLASS_COLOURS)))
    scale = []
    for i in range(k):
        scale += [[i / k, CLASS_COLOURS[i]], [(i + 1) / k, CLASS_COLOURS[i]]]
    return scale


def sequential_colours(n: int) -> list[str]:
    """n colours running from dark (first) to light (last), as hex strings."""
    out = []
    for i in range(n):
        t = i / (n - 1) if n > 1 else 0.0
        rgb = (round(d + (l - d) * t) for d, l in zip(SEQUENTIAL_DARK, SEQUENTIAL_LIGHT))
        out.append("#" + "".join(f"{c:02x}" for c in rgb))
    return out


def base_layout(uirevision: str, **extra) -> dict:
    """What every figure's layout shares: tight margins, readable font, white, a fixed uirevision.

    uirevision is a constant per figure kind, so Plotly.react keeps the viewer's zoom and legend
    clicks across the frames of an animation.
    """
    layout = {
        "uirevision": uirevision,
        "font": dict(FONT),
        "margin": {"l": 48, "r": 12, "t": 12, "b": 40, "pad": 0},
        "paper_bgcolor": WHITE,
        "plot_bgcolor": WHITE,
        "hoverlabel": {"font": {"size": FONT_SIZE}},
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def compact_legend(**extra) -> dict:
    """A one-row legend above the plot area, out of the data's way."""
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.0, "yanchor": "bottom",
              "font": {"size": FONT_SIZE}, "bgcolor": "rgba(255,255,255,0)", "itemwidth": 30,
              "tracegroupgap": 0}
    legend.update(extra)
    return legend
