"""Per-layer views of one moment of training: histograms side by side, and gradient norm by layer."""
from __future__ import annotations

import functools
import math

import numpy as np

from mlp.notation import power_of_ten
from mlp.figures.axes import log_ticks
from mlp.figures.jsonable import integers, rounded, significant, typed_array
from mlp.figures.palette import BLUE, FAINT, FONT_SIZE, INK, ORANGE, base_layout, compact_legend
from mlp.figures.zero_floor import floor_trace, floor_value, has_zeros, on_floor

BAR_COLOUR = "#4a6a82"          # neutral: bars are counts, neither negative nor positive
MAX_PANELS = 8                  # deeper nets show the first and last 4 layers
PANEL_GAP = 0.025               # paper fraction between panels
HIDDEN_SLOT = 0.6               # width of the "layers … hidden" slot, in panels


def _shown_layers(n_layers: int) -> tuple[list[int], list[int]]:
    """(layers drawn, layers hidden), 0-based: all, or the first and last MAX_PANELS // 2."""
    if n_layers <= MAX_PANELS:
        return list(range(n_layers)), []
    half = MAX_PANELS // 2
    return list(range(half)) + list(range(n_layers - half, n_layers)), list(range(half, n_layers - half))


def _panel_domains(n_panels: int, gap_after: int | None) -> tuple[list[list[float]], list[float] | None]:
    """Paper-x domains of n_panels equal panels, with a narrower slot after panel `gap_after`."""
    slots = n_panels + (HIDDEN_SLOT if gap_after is not None else 0.0)
    n_gaps = n_panels - 1 + (1 if gap_after is not None else 0)
    unit = (1.0 - PANEL_GAP * n_gaps) / slots
    domains, at, hidden = [], 0.0, None
    for i in range(n_panels):
        domains.append([round(at, 4), round(min(at + unit, 1.0), 4)])
        at += unit + PANEL_GAP
        if i == gap_after:
            hidden = [round(at, 4), round(at + HIDDEN_SLOT * unit, 4)]
            at += HIDDEN_SLOT * unit + PANEL_GAP
    return domains, hidden


def _nice_ticks(lo: float, hi: float, at_most: int, inset: float = 0.0) -> list[float]:
    """Round tick values inside [lo, hi], at most `at_most` of them: narrow panels need few, upright.

    inset: keep ticks this share of the span away from both ends, and take one if two do not fit, so
    the labels of panels side by side do not run into each other ("0" and "1" reading "10")."""
    span = hi - lo
    if not (span > 0 and math.isfinite(span)):
        return [round(lo, 4)]
    top = math.ceil(math.log10(span))
    inner_lo, inner_hi, at_least = lo + inset * span, hi - inset * span, 1 if inset else 2
    for exponent in range(top - 2, top + 2):
        for mantissa in (1, 2, 5):
            step = mantissa * 10.0 ** exponent
            first, last = math.ceil(inner_lo / step - 1e-9), math.floor(inner_hi / step + 1e-9)
            if at_least <= last - first + 1 <= at_most:
                return [round(k * step, 6) + 0.0 for k in range(first, last + 1)]   # + 0.0: no -0.0
    return [round(lo, 4), round(hi, 4)]                             # e.g. [-1, 1] with room for 2


def _tick_format(lo: float, hi: float) -> dict:
    """Short tick labels for a narrow panel whose range is far from 1 (a fitted ReLU range can be 0 to
    5·10⁵ or 0 to 5·10⁻⁵): SI prefixes (500k) for large, 1 significant digit and e-notation for small."""
    top = max(abs(lo), abs(hi))
    if top >= 1e4:
        return {"tickformat": "~s"}
    if 0 < top < 1e-2:
        return {"tickformat": ".0e"}
    return {}


def _axis_keys(i: int) -> tuple[str, str]:
    """Panel i (0-based) -> ("x2", "y2")-style trace references (the first is plain "x", "y")."""
    suffix = "" if i == 0 else str(i + 1)
    return "x" + suffix, "y" + suffix


def _annotation(text: str, x: float, y: float, **extra) -> dict:
    # xanchor "center": the default "auto" anchors paper-x annotations left or right of x by thirds
    note = {"text": text, "x": x, "y": y, "xref": "paper", "yref": "paper", "showarrow": False,
            "xanchor": "center", "font": {"size": FONT_SIZE}}
    note.update(extra)
    return note


def _edge_text(value: float, log_x: bool) -> str:
    """An end of a range as a label: 10⁸ for a log₁₀ axis, else 3 significant digits (4.8·10⁵ far from 1)."""
    if log_x:
        return power_of_ten(round(value))
    if value == 0 or 1e-2 <= abs(value) < 1e4:
        return f"{value:.3g}"
    exponent = math.floor(math.log10(abs(value)))
    return f"{value / 10 ** exponent:.2g}·" + power_of_ten(exponent)


def _overflow_notes(counts: np.ndarray, edges: np.ndarray, shown: list[int], domains, open_ends, log_x) -> list:
    """Per panel, the count in an open-ended end bin (values beyond the range are counted there):
    "≥10⁸: 12" over its right end, "≤10⁻¹⁶: 40" over its left end. open_ends: (low, high) per layer."""
    notes = []
    for i, l in enumerate(shown):
        low, high = open_ends[l]
        for end, (is_open, bin_, sign, x, anchor) in enumerate(
                ((low, 0, "≤", domains[i][0], "left"), (high, -1, "≥", domains[i][1], "right"))):
            n = int(counts[l, bin_])
            if is_open and n:
                bound = edges[l, 1] if end == 0 else edges[l, -2]
                notes.append(_annotation(f"{sign}{_edge_text(bound, log_x)}: {n}", x, 0.98, xanchor=anchor,
                                         yanchor="top", font={"size": 12, "color": FAINT}))
    return notes


def layer_histograms_figure(counts, edges, *, title_prefix: str, log_x_label: str | None = None,
                            compact: bool = False, open_ends=(False, False)) -> dict:
    """One small bar chart per layer, side by side.

    counts (L, B) ints: the histogram of layer l in row l-1. edges (L, B+1) per layer, or (B+1,)
    shared by all. Panels are titled "layer l"; `title_prefix` names what is counted (e.g.
    "activations", "gradients") in each bar's hover label, and keeps the figure's uirevision apart.
    log_x_label: a label under the panels, e.g. "log₁₀|dW|" for gradient histograms.
    If L > 8 the first 4 and last 4 layers are drawn and an annotation says which are hidden.
    compact: bars as float32 typed arrays (jsonable.typed_array), for a chart sent every frame.
    open_ends: (low, high), for every layer or a list of one per layer: whether values beyond that end
    of the range are counted in its end bin; a non-empty open end bin gets its count as a label
    ("≥10⁸: 12"): the overflow, never hidden.
    """
    counts = np.atleast_2d(np.asarray(counts))
    edges = np.asarray(edges, dtype=np.float64)
    if edges.ndim == 1:
        edges = np.broadcast_to(edges, (counts.shape[0], edges.size))
    # A net's bin edges stay the same while it trains: everything but the counts is built once.
    shown, bars, layout = _histogram_panels(edges.tobytes(), edges.shape, title_prefix, log_x_label, compact)
    traces = [{**bar, "y": typed_array(counts[l]) if compact else integers(counts[l])} for l, bar in zip(shown, bars)]
    layout = {**layout}
    if np.ndim(open_ends) == 1:
        open_ends = [tuple(open_ends)] * counts.shape[0]
    if np.any(open_ends):
        domains = [layout["xaxis" + _axis_keys(i)[0][1:]]["domain"] for i in range(len(shown))]
        notes = _overflow_notes(counts, edges, shown, domains, open_ends, log_x_label is not None)
        if notes:
            layout["annotations"] = layout["annotations"] + notes
    return {"data": traces, "layout": layout}


@functools.lru_cache(maxsize=16)
def _histogram_panels(edges_bytes: bytes, shape: tuple[int, int], title_prefix: str, log_x_label: str | None,
                      compact: bool) -> tuple[list[int], list[dict], dict]:
    """(layers shown, each one's bar trace without its counts, the layout) for these bin edges."""
    edges = np.frombuffer(edges_bytes, np.float64).reshape(shape)
    n_layers = shape[0]
    shown, hidden = _shown_layers(n_layers)
    domains, hidden_domain = _panel_domains(len(shown), MAX_PANELS // 2 - 1 if hidden else None)
    prefix = title_prefix.strip()
    tick_count = 3 if len(shown) <= 4 else 2

    bars, annotations = [], []
    layout = base_layout("layer_histograms_" + prefix,
                         margin={"l": 8, "r": 8, "t": 26, "b": 48 if log_x_label else 28, "pad": 0},
                         bargap=0)
    for i, l in enumerate(shown):
        xref, yref = _axis_keys(i)
        e = edges[l]
        centres, widths = (e[:-1] + e[1:]) / 2, np.diff(e)
        uniform = widths.size and float(np.ptp(widths)) <= 1e-9 * abs(float(widths[0]))
        title = f"layer {l + 1}"
        # "activations, layer 3" in the hover label; "layer" alone as the prefix is not repeated
        name = title if prefix.lower() in ("", "layer") else f"{prefix}, {title}"
        if uniform and compact:
            where = {"x0": round(float(centres[0]), 6), "dx": round(float(widths[0]), 6),
                     "width": round(float(widths[0]), 6)}
        elif uniform:
            where = {"x": rounded(centres, 4), "width": round(float(widths[0]), 6)}
        elif compact:
            where = {"x": typed_array(centres), "width": typed_array(widths)}
        else:
            where = {"x": rounded(centres, 4), "width": rounded(widths, 6)}
        bars.append({"type": "bar", "name": name, **where, "xaxis": xref, "yaxis": yref,
                     "marker": {"color": BAR_COLOUR, "line": {"width": 0}},
                     "hovertemplate": "%{x:.2f}: %{y}" + f"<extra>{name}</extra>"})
        layout["xaxis" + xref[1:]] = {"domain": domains[i], "anchor": yref, "showgrid": False,
                                      "zeroline": False, "showline": True, "linecolor": FAINT,
                                      "range": [round(float(e[0]), 4), round(float(e[-1]), 4)],
                                      "tickmode": "array", "tickangle": 0,
                                      "tickvals": _nice_ticks(float(e[0]), float(e[-1]), tick_count,
                                                              0.0 if len(shown) <= 4 else 0.1),
                                      **_tick_format(float(e[0]), float(e[-1]))}
        layout["yaxis" + yref[1:]] = {"anchor": xref, "showticklabels": False, "showgrid": False,
                                      "zeroline": False, "rangemode": "tozero"}
        annotations.append(_annotation(title, sum(domains[i]) / 2, 1.0, yanchor="bottom"))
    if hidden:
        first, last = hidden[0] + 1, hidden[-1] + 1
        which = f"layer {first}" if first == last else f"layers {first}–{last}"
        annotations.append(_annotation(f"{which} hidden", sum(hidden_domain) / 2, 0.5,
                                       textangle=-90, font={"size": FONT_SIZE, "color": FAINT}))
    if log_x_label:
        annotations.append(_annotation(log_x_label, 0.5, 0.0, yanchor="top", yshift=-22))
    layout["annotations"] = annotations
    return shown, bars, layout


def _points(values, floor: float) -> tuple[list, list]:
    """Values (L,) -> (layer numbers, values) a log axis can show: exact zeros on the floor
    (zero_floor.py), NaN and ±inf left out."""
    v = on_floor(values, floor)
    keep = np.isfinite(v)
    return integers(np.flatnonzero(keep) + 1), significant(v[keep])


def grad_norm_by_layer_figure(grad_norms, *, delta_mean_abs=None, update_ratio=None) -> dict:
    """‖dW[l]‖ against layer l = 1..L on a log axis, with the backward error and the relative update.

    grad_norms (L,); delta_mean_abs (L,) optional: mean |δ[l]| over the batch, the line that shows
    vanishing (falling towards layer 1) or exploding (rising) whatever the activation (see
    mlp/lab/gradient_flow.py for why ‖dW‖ can stay level); update_ratio (L,) optional: ‖ΔW[l]‖/‖W[l]‖.
    Exact zeros sit on a dotted floor labelled "0: dead"; NaN and ±inf are left out.
    """
    n_layers = int(np.size(grad_norms))
    series = [("‖dW[l]‖", grad_norms, {"color": BLUE, "width": 2}, 8)]
    if delta_mean_abs is not None:
        series.append(("mean |δ[l]|", delta_mean_abs, {"color": INK, "width": 3}, 8))
    if update_ratio is not None and np.isfinite(np.asarray(update_ratio, np.float64)).any():
        series.append(("‖ΔW[l]‖/‖W[l]‖", update_ratio, {"color": ORANGE, "width": 2, "dash": "dot"}, 6))
    floor = floor_value(*(values for _, values, _, _ in series))
    traces = []
    for name, values, line, size in series:
        x, y = _points(values, floor)
        traces.append({"type": "scatter", "mode": "markers+lines", "name": name, "x": x, "y": y, "line": line,
                       "marker": {"size": size}, "hovertemplate": "layer %{x}: %{y:.3g}<extra>" + name + "</extra>"})
    if has_zeros(*(values for _, values, _, _ in series)):
        traces.append(floor_trace(floor, 0.5, max(n_layers, 1) + 0.5))
    legend = len(series) > 1
    xaxis = {"title": {"text": "layer", "standoff": 4}, "showgrid": False, "zeroline": False,
             "showline": True, "linecolor": FAINT, "range": [0.5, max(n_layers, 1) + 0.5]}
    if n_layers <= 20:
        xaxis.update(tickmode="linear", tick0=1, dtick=1)
    layout = base_layout(
        "grad_norm_by_layer",
        xaxis=xaxis,
        yaxis={"type": "log", "showgrid": True, "gridcolor": "#eeeeee", "zeroline": False, "showline": True,
               "linecolor": FAINT, **log_ticks([np.where(np.asarray(values, np.float64) == 0, floor, values)
                                                for _, values, _, _ in series])},
        margin={"l": 56, "r": 12, "t": 30 if legend else 12, "b": 44, "pad": 0},
        showlegend=legend,
        legend=compact_legend(),
        hovermode="closest",
    )
    return {"data": traces, "layout": layout}
