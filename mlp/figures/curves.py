"""Curves over training time: loss (and a metric), and the gradient norm of every layer."""
from __future__ import annotations

import numpy as np

from mlp.figures.axes import log_ticks, stepped_end, stepped_step_range
from mlp.figures.jsonable import integers, rounded, significant, typed_array
from mlp.figures.palette import ALERT, FAINT, INK, base_layout, compact_legend, sequential_colours
from mlp.figures.zero_floor import floor_trace, floor_value, has_zeros, on_floor

METRIC_COLOUR = "#2ca25f"
MAX_LEGEND_ENTRIES = 8
# A curve chart is a few hundred pixels wide: more points than this are thinned to every k-th (the
# run's History keeps up to 1024 rows; sending them all would double a long run's frame).
MAX_CURVE_POINTS = 400


def _steps(steps) -> np.ndarray:
    return np.asarray(steps, dtype=np.float64).reshape(-1)


def _shown_rows(n: int) -> slice:
    """Every k-th of n rows, at most MAX_CURVE_POINTS, always ending with the newest."""
    k = -(-n // MAX_CURVE_POINTS) if n else 1
    return slice((n - 1) % k if n else 0, n, k)


def steps_x(steps: np.ndarray, compact: bool = False) -> dict:
    """The x part of a trace: {"x0", "dx"} when the steps are evenly spaced (a third of the JSON of
    a curve saved), else {"x": ...}: whole numbers as ints (compact: int32 bytes)."""
    if steps.size >= 2 and np.all(np.isfinite(steps)):
        gaps = np.diff(steps)
        if np.all(gaps == gaps[0]) and gaps[0] > 0:
            return {"x0": _number(steps[0]), "dx": _number(gaps[0])}
    whole = bool(np.all(np.isfinite(steps) & (steps == np.round(steps)) & (np.abs(steps) < 2 ** 31)))
    if compact:
        return {"x": typed_array(steps, "i4" if whole else "f4")}
    return {"x": integers(steps) if whole else rounded(steps, 3)}


def _sharing_x(traces: list[dict]) -> list[dict]:
    """Compact curves: a trace whose x list is the first trace's says {"xFrom": 0} instead, and the
    browser copies it (mlp/ui/plotly_live.py: expandFigure). Unevenly spaced steps (steps per frame
    adapt) would otherwise be sent once per curve: seven times for a 6-layer net's gradient norms."""
    first = traces[0].get("x") if traces else None
    if first is None:
        return traces
    return traces[:1] + [{**{k: v for k, v in t.items() if k != "x"}, "xFrom": 0} if t.get("x") is first else t
                         for t in traces[1:]]


def _number(v: float):
    return int(v) if v == round(v) else round(float(v), 6)


def for_log_axis(values) -> np.ndarray:
    """A log axis cannot show <= 0 or inf: those become NaN, i.e. gaps (None in JSON)."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    return np.where((v > 0) & np.isfinite(v), v, np.nan)




def _step_axis(steps: np.ndarray, stepped: bool = False) -> dict:
    """Steps on x. A short run gets a tick per step: Plotly would label 0, 0.2 … 1 around a single step.
    stepped: from 0 to the rung above the last step (axes.stepped_end), for a playing chart."""
    lo, hi = (float(steps.min()), float(steps.max())) if len(steps) else (0.0, 0.0)
    if hi - lo < 10:
        return grid_axis("step", range=[lo - 0.5, max(hi, lo + 1) + 0.5], tickmode="linear", tick0=0, dtick=1)
    end = stepped_step_range(steps) if stepped else None
    return grid_axis("step", range=end) if end else grid_axis("step", rangemode="tozero")


def _loss_axis_end(*curves) -> float | None:
    """Where a playing linear loss axis ends: the rung above the largest finite loss (None: no loss yet)."""
    v = np.concatenate([np.asarray(c, dtype=np.float64).reshape(-1) for c in curves])
    v = v[np.isfinite(v)]
    return stepped_end(float(v.max())) if v.size and v.max() > 0 else None


def _y(values, compact: bool):
    """A curve's values: float32 bytes when compact (a live chart: nothing to round or print, and
    NaN stays a gap), else 4 significant digits with None for gaps."""
    if compact:
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        return typed_array(np.where(np.isfinite(v), v, np.nan))
    return significant(values)


def grid_axis(title: str, **extra) -> dict:
    axis = {"title": {"text": title, "standoff": 4}, "showgrid": True, "gridcolor": "#eeeeee",
            "zeroline": False, "showline": True, "linecolor": FAINT, "automargin": True}
    axis.update(extra)
    return axis


def loss_curves_figure(steps, train_loss, test_loss, *, log_y: bool = False, metric=None,
                       metric_name: str | None = None, light: bool = False, compact: bool = False,
                       small: bool = False) -> dict:
    """Train (solid) and test (dashed) loss against step.

    steps, train_loss, test_loss: (T,) each (T may be 0: an empty chart); over MAX_CURVE_POINTS
    rows are thinned to every k-th, ending with the newest. log_y: a log loss axis
    (values <= 0 left out). metric (T,), optional: e.g. test accuracy, dotted on a right-hand axis
    over [0, 1], named `metric_name` (default "metric").
    light: no legend and nearest-point hover, for animation (a legend and unified hover make every
    redraw about twice as slow); the page then says in words which line is which.
    compact: values as typed arrays (jsonable.typed_array), and one x for all curves ("xFrom"), for
    a chart sent every frame: it needs the live chart's decoder (mlp/ui/plotly_live.py). Its linear
    axes end on rungs (axes.stepped_end) rather than autorange, so most frames move only the lines.
    small: TF Playground's little loss chart under the output numbers, about 100 px high: no axis
    titles, few ticks, tight margins (the page names the lines and the metric).
    """
    s = _steps(steps)
    rows = _shown_rows(len(s))
    s, train_loss, test_loss = s[rows], np.asarray(train_loss)[rows], np.asarray(test_loss)[rows]
    metric = None if metric is None else np.asarray(metric)[rows]
    x = steps_x(s, compact)
    prepare = for_log_axis if log_y else (lambda v: v)
    traces = [
        {"type": "scatter", "mode": line_mode(len(s)), "name": "train loss", **x,
         "y": _y(prepare(train_loss), compact), "line": {"color": INK, "width": 2},
         "hovertemplate": "%{y:.4g}"},
        {"type": "scatter", "mode": line_mode(len(s)), "name": "test loss", **x,
         "y": _y(prepare(test_loss), compact), "line": {"color": INK, "width": 2, "dash": "dash"},
         "hovertemplate": "%{y:.4g}"},
    ]
    has_metric = metric is not None
    name = metric_name or "metric"
    if has_metric:
        traces.append({"type": "scatter", "mode": line_mode(len(s)), "name": name, **x, "y": _y(metric, compact),
                       "yaxis": "y2", "line": {"color": METRIC_COLOUR, "width": 2, "dash": "dot"},
                       "hovertemplate": "%{y:.3f}"})
    if compact:
        # every point drawn, as the live chart paints them in place (Plotly would leave out those on a
        # straight run, and the two drawings would differ frame to frame)
        for t in traces:
            t["line"] = {**t["line"], "simplify": False}
    # a playing chart (compact) on linear axes gets stepped ends: its axes stay as drawn for most frames
    y_end = _loss_axis_end(train_loss, test_loss) if compact and not log_y else None
    layout = base_layout(
        "loss_curves",
        xaxis=_step_axis(s, stepped=compact and not log_y),
        yaxis=grid_axis("loss", type="log" if log_y else "linear",
                    **(log_ticks([train_loss, test_loss]) if log_y else
                       {"range": [0, y_end]} if y_end is not None else {"rangemode": "tozero"})),
        margin={"l": 56, "r": 56 if has_metric else 12, "t": 8 if light else 30, "b": 44, "pad": 0},
        showlegend=not light,
        legend=compact_legend(),
        hovermode="closest" if light else "x unified",
    )
    if small:
        tiny = {"title": None, "nticks": 4, "tickfont": {"size": 11}, "automargin": False}
        layout["xaxis"], layout["yaxis"] = {**layout["xaxis"], **tiny}, {**layout["yaxis"], **tiny}
        layout["margin"] = {"l": 36, "r": 30 if has_metric else 6, "t": 4, "b": 18, "pad": 0}
    if has_metric:
        # explicit ticks: an overlaying axis otherwise takes the loss axis's grid (0.978, 0.734, …)
        layout["yaxis2"] = grid_axis(name, overlaying="y", side="right", range=[0, 1], showgrid=False,
                                 showline=False, tickmode="array", tickvals=[0, 0.5, 1] if small else
                                 [0, 0.25, 0.5, 0.75, 1])
        if small:
            layout["yaxis2"].update(title=None, tickfont={"size": 11}, automargin=False)
    return {"data": _sharing_x(traces) if compact else traces, "layout": layout}


def line_mode(n_points: int) -> str:
    """Lines, with markers while there are too few points for a line to show."""
    return "lines+markers" if n_points < 3 else "lines"


def _legend_layers(n_layers: int) -> set[int]:
    """Which layers get a legend entry: all of a shallow net, a spread of up to 8 (first, last) of a deep one."""
    if n_layers <= MAX_LEGEND_ENTRIES:
        return set(range(n_layers))
    return {int(round(i)) for i in np.linspace(0, n_layers - 1, MAX_LEGEND_ENTRIES)}


def grad_norms_over_time_figure(steps, grad_norms, *, highlight_layer: int | None = None,
                                light: bool = False, compact: bool = False) -> dict:
    """‖dW[l]‖ of every layer against step, one line per layer on a log axis.

    steps (T,), grad_norms (T, L): column l-1 is layer l, the last column the output layer (rows
    thinned as in loss_curves_figure). Layer 1
    is darkest and the output lightest, so vanishing gradients show as dark lines far below light
    ones. An exact zero (no gradient reaches the layer: its units, or all above it, are dead) sits on
    a dotted floor labelled "0: dead" a decade below the smallest positive value (zero_floor.py), so a
    net that died is a marked line, not an empty chart. NaN and ±inf are gaps in the line (a line
    drawn across them would hide that the gradient blew up there).
    highlight_layer (0-based): drawn thick and red, e.g. the layer that tripped the tripwire.
    light, compact: as in loss_curves_figure.
    """
    s = _steps(steps)
    g = np.asarray(grad_norms, dtype=np.float64)
    if g.ndim == 1:
        g = g.reshape(len(s), -1) if g.size else np.zeros((len(s), 0))
    rows = _shown_rows(len(s))
    s, g = s[rows], g[rows]
    x = steps_x(s, compact)
    n_layers = g.shape[1]
    colours = sequential_colours(n_layers)
    shown = _legend_layers(n_layers)
    floor = floor_value(g)
    traces = []
    for l in range(n_layers):
        traces.append({"type": "scatter", "mode": line_mode(len(s)), "name": f"layer {l + 1}", **x,
                       "y": _y(on_floor(g[:, l], floor), compact),
                       "line": ({"color": ALERT, "width": 5} if l == highlight_layer
                                else {"color": colours[l], "width": 2}),
                       "showlegend": l in shown or l == highlight_layer, "legendrank": l + 1,
                       "hovertemplate": "%{y:.3g}"})
    layout = base_layout(
        "grad_norms_over_time",
        xaxis=_step_axis(s),
        yaxis=grid_axis("‖dW‖", type="log",
                    **log_ticks([np.where(g == 0, floor, g)])),
        margin={"l": 64, "r": 12, "t": 8 if light else 30, "b": 44, "pad": 0},
        showlegend=not light,
        legend=compact_legend(),
        hovermode="closest" if light else "x unified",
    )
    data = _sharing_x(traces) if compact else traces
    if len(s) and has_zeros(g):
        data.append(floor_trace(floor, float(s[0]), float(s[-1])))
    return {"data": data, "layout": layout}
