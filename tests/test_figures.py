"""mlp.figures: every builder returns a plain dict that Plotly accepts and that says the right thing."""
from __future__ import annotations

import copy
import json
import pathlib
import re
import subprocess
import sys
import types

import numpy as np
import plotly.graph_objects as go
import pytest

from mlp.figures import (confusion_matrix_figure, decision_boundary_figure, decode_grid, encode_grid,
                         grad_norm_by_layer_figure, grad_norms_over_time_figure, layer_histograms_figure,
                         loss_curves_figure, network_figure)
from mlp.figures.palette import BLUE, CLASS_COLOURS, ORANGE
from mlp.figures.jsonable import decode_typed_array, is_typed_array
from mlp.live.payload import chart_payload, read_chart_payload

FIGURES_DIR = pathlib.Path(__file__).resolve().parent.parent / "mlp" / "figures"


# Plain NumPy stand-ins for mlp.engine.datasets (whose scikit-learn import alone would take seconds): the
# builders only see arrays anyway.
def grid(r):
    """xs (r,), ys (r,), points (r*r, 2) row-major with x fastest, as mlp.engine.datasets.grid lays them out."""
    xs = ys = np.linspace(-6, 6, r)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([xx.ravel(), yy.ravel()])


def make_dataset(kind, n, n_classes=2, seed=0):
    """Half train, half test; "xor" and "blobs" give class labels, "plane" a target in [-1, 1]."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5.5, 5.5, (n, 2))
    if kind == "xor":
        y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    elif kind == "blobs":
        y = rng.integers(0, n_classes, n)
    else:
        y = (X[:, 0] + X[:, 1]) / 12
    m = n // 2
    return types.SimpleNamespace(X_train=X[:m], y_train=y[:m], X_test=X[m:], y_test=y[m:])


def valid(fig: dict) -> dict:
    """Plotly's own schema check (raises on any unknown or ill-typed property), plus strict JSON."""
    assert set(fig) == {"data", "layout"}
    go.Figure(fig)
    json.dumps(fig, allow_nan=False)        # no NaN/inf leaks: the browser's JSON.parse rejects them
    assert isinstance(fig["layout"]["uirevision"], str) and fig["layout"]["uirevision"]
    assert fig["layout"]["font"]["size"] >= 14
    return fig


def x_of(trace: dict) -> list:
    """A trace's x values, whether sent as a list or as x0/dx (evenly spaced steps)."""
    if "x" in trace:
        return decode_typed_array(trace["x"]).tolist() if is_typed_array(trace["x"]) else trace["x"]
    y = decode_typed_array(trace["y"]) if is_typed_array(trace["y"]) else trace["y"]
    return [trace["x0"] + i * trace["dx"] for i in range(len(y))]


def as_lists(value):
    """value with every typed array (jsonable.typed_array) decoded to lists, NaN -> None."""
    if is_typed_array(value):
        v = decode_typed_array(value).astype(np.float64)
        return np.where(np.isnan(v), None, v).tolist()
    if isinstance(value, dict):
        return {k: as_lists(v) for k, v in value.items()}
    return value


def expanded(fig: dict) -> dict:
    """The figure as the browser draws it: every "zcodes" grid turned back into z, an "xFrom" into that
    trace's x, typed arrays into lists."""
    fig = copy.deepcopy(fig)
    for trace in fig["data"]:
        if "zcodes" in trace:
            z = decode_grid(trace.pop("zcodes"))
            trace["z"] = np.where(np.isnan(z), None, z).tolist()        # gaps are drawn blank
        if "xFrom" in trace:
            trace["x"] = fig["data"][trace.pop("xFrom")]["x"]
    fig["data"] = [as_lists(t) for t in fig["data"]]
    return fig


def assert_same_numbers(compact, plain, places: int) -> None:
    """A typed array (float32, unrounded) against the rounded list it stands for."""
    got = np.array(as_lists(compact), dtype=float)
    expected = np.array(plain, dtype=float)                                # None -> NaN
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, atol=0.5 * 10.0 ** -places + 1e-5, equal_nan=True)


def assert_same_trace(c, p) -> None:
    """Dicts equal, except that typed arrays in c may stand for rounded lists in p."""
    if is_typed_array(c):
        assert_same_numbers(c, p, places=2)
    elif isinstance(c, dict):
        assert isinstance(p, dict) and set(c) == set(p)
        for key in c:
            assert_same_trace(c[key], p[key])
    else:
        assert c == p


def assert_same_up_to_quantisation(compact: dict, plain: dict) -> None:
    """compact=True equals compact=False except z, which agrees within 1/255 of the encoded range."""
    assert any("zcodes" in t for t in compact["data"])
    assert not any("z" in t for t in compact["data"] if "zcodes" in t)
    for c, p in zip(compact["data"], plain["data"]):
        if "zcodes" in c:
            g = c["zcodes"]
            assert g["shape"] == list(np.shape(p["z"]))
            z, expected = decode_grid(g), np.array(p["z"], dtype=float)      # None (a gap) -> NaN
            tolerance = (g["hi"] - g["lo"]) / 255
            np.testing.assert_array_equal(np.isnan(z), np.isnan(expected))
            assert np.nanmax(np.abs(z - expected)) <= tolerance
            c = {k: v for k, v in c.items() if k != "zcodes"}
            p = {k: v for k, v in p.items() if k != "z"}
        assert_same_trace(c, p)
    assert compact["layout"] == plain["layout"]
    valid(expanded(compact))


# ---------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture(scope="module")
def plane():
    xs, ys, points = grid(60)
    logit = points[:, 0] * points[:, 1] / 4
    return xs, ys, points, (1 / (1 + np.exp(-logit))).reshape(60, 60)


@pytest.fixture(scope="module")
def xor():
    return make_dataset("xor", 200)


def small_network(sizes, g=8, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    grids = [np.tanh(rng.normal(size=(n, g, g))) for n in sizes]
    return weights, grids


# ---------------------------------------------------------------------------------------------
# compact grids


def test_encode_grid_round_trip_clips_and_maps_nan_to_lo():
    z = np.array([[0.0, 0.25, 0.5], [1.0, 2.0, np.nan]])
    g = encode_grid(z, 0.0, 1.0)
    assert g["shape"] == [2, 3] and g["lo"] == 0.0 and g["hi"] == 1.0
    back = decode_grid(g)
    assert np.allclose(back, [[0, 0.25, 0.5], [1, 1, 0]], atol=0.5 / 255)
    z = np.random.default_rng(1).uniform(-3, 3, (37, 41))
    assert np.abs(decode_grid(encode_grid(z, -3, 3)) - z).max() <= 3 / 255 + 1e-12
    assert decode_grid(encode_grid(np.ones((2, 2)), 1, 1)).tolist() == [[1, 1], [1, 1]]


def test_encode_grid_is_row_major_bytes():
    z = np.arange(6, dtype=float).reshape(2, 3)
    assert list(encode_grid(z, 0, 255)["codes"]) == [0, 1, 2, 3, 4, 5]


def test_encode_block_groups_codes_each_group_over_its_own_range():
    from mlp.figures.compact import encode_block_groups, encode_blocks, stack_blocks
    rng = np.random.default_rng(2)
    stack = rng.uniform(-1, 1, (6, 4, 5)) * np.array([1, 1, 10, 10, 10, 0.5])[:, None, None]
    stack[3, 1, 2] = np.nan
    sizes, lo, hi = [2, 3, 1], [-1, -10, 0.5], [1, 10, 0.5]            # the last range is empty
    grids = encode_block_groups(stack, sizes, lo, hi, gap=2)
    starts = [0, 2, 5, 6]
    for k, grid in enumerate(grids):
        group = stack[starts[k]:starts[k + 1]]
        assert grid == encode_blocks(group, lo[k], hi[k], gap=2)        # the same as one at a time
        expected = np.clip(np.nan_to_num(stack_blocks(group, 2), nan=lo[k]), lo[k], hi[k])
        rows = ~np.isnan(stack_blocks(group, 2)).all(axis=1)
        got = decode_grid(grid)[rows]
        assert np.abs(got - expected[rows]).max() <= (hi[k] - lo[k]) / 255 / 2 + 1e-12
    assert set(grids[2]["codes"]) == {0}                               # empty range: every cell lo


# ---------------------------------------------------------------------------------------------
# decision boundary


def test_binary_boundary_with_test_points(plane, xor):
    xs, ys, _, z = plane
    fig = valid(decision_boundary_figure(xs, ys, z, xor.X_train, xor.y_train, xor.X_test, xor.y_test,
                                         problem="classification", n_classes=2))
    heat, train, test, *keys = fig["data"]
    assert [k["name"] for k in keys] == ["train", "test"] and all(k["x"] == [None] for k in keys)
    assert not train["showlegend"] and not test["showlegend"] and fig["layout"]["showlegend"]
    assert heat["type"] == "heatmap" and (heat["zmin"], heat["zmax"]) == (0.0, 1.0)
    assert heat["colorscale"][0][1] == ORANGE and heat["colorscale"][-1][1] == BLUE
    assert np.shape(heat["z"]) == (60, 60) and np.allclose(heat["z"], z, atol=5e-4)
    # the grid's cell centres, sent as start and step
    np.testing.assert_allclose(heat["x0"] + heat["dx"] * np.arange(60), xs, atol=1e-6)
    np.testing.assert_allclose(heat["y0"] + heat["dy"] * np.arange(60), ys, atol=1e-6)
    assert train["name"] == "train" and len(train["x"]) == len(xor.X_train)
    assert train["marker"]["color"] == xor.y_train.tolist()
    assert test["name"] == "test" and len(test["x"]) == len(xor.X_test)
    assert np.allclose(test["x"], xor.X_test[:, 0], atol=5e-3)
    layout = fig["layout"]
    assert layout["xaxis"]["range"] == [-6, 6] and layout["yaxis"]["range"] == [-6, 6]
    assert layout["yaxis"]["scaleanchor"] == "x"
    assert "x₁" in heat["hovertemplate"] and "x₂" in heat["hovertemplate"]


def test_test_points_only_when_given(plane, xor):
    xs, ys, _, z = plane
    fig = valid(decision_boundary_figure(xs, ys, z, xor.X_train, xor.y_train, problem="classification",
                                         n_classes=2))
    assert [t["name"] for t in fig["data"]] == ["output", "train"]
    assert not fig["layout"]["showlegend"]


def test_discretized_binary_boundary_is_zero_or_one(plane, xor):
    xs, ys, _, z = plane
    fig = valid(decision_boundary_figure(xs, ys, z, xor.X_train, xor.y_train, problem="classification",
                                         n_classes=2, discretize=True))
    assert set(np.unique(fig["data"][0]["z"])) == {0.0, 1.0}


def test_multiclass_boundary_has_one_colour_per_class(plane):
    xs, ys, points, _ = plane
    data = make_dataset("blobs", 150, n_classes=4)
    z = (np.arctan2(points[:, 1], points[:, 0]) // (np.pi / 2) % 4).reshape(60, 60)
    fig = valid(decision_boundary_figure(xs, ys, z, data.X_train, data.y_train, data.X_test, data.y_test,
                                         problem="classification", n_classes=4))
    heat, train = fig["data"][:2]
    assert (heat["zmin"], heat["zmax"]) == (-0.5, 3.5)
    assert [c for _, c in heat["colorscale"]][::2] == list(CLASS_COLOURS[:4])
    assert heat["opacity"] < 0.6                         # low opacity: the points stay readable
    assert (train["marker"]["cmin"], train["marker"]["cmax"]) == (-0.5, 3.5)
    assert set(train["marker"]["color"]) <= {0, 1, 2, 3}


def test_regression_boundary(plane):
    xs, ys, points, _ = plane
    data = make_dataset("plane", 100)
    z = ((points[:, 0] + points[:, 1]) / 12).reshape(60, 60)
    fig = valid(decision_boundary_figure(xs, ys, z, data.X_train, data.y_train, data.X_test, data.y_test,
                                         problem="regression", n_classes=0))
    heat, train = fig["data"][:2]
    assert (heat["zmin"], heat["zmax"]) == (-1.0, 1.0)
    assert (train["marker"]["cmin"], train["marker"]["cmax"]) == (-1.0, 1.0)
    assert train["marker"]["colorscale"] == heat["colorscale"]
    assert np.allclose(train["marker"]["color"], data.y_train, atol=5e-4)
    fig = valid(decision_boundary_figure(xs, ys, z, data.X_train, data.y_train, problem="regression",
                                         n_classes=0, discretize=True))
    assert set(np.unique(fig["data"][0]["z"])) <= {-1.0, 0.0, 1.0}


@pytest.mark.parametrize("problem, n_classes, scale", [("classification", 2, 1.0), ("classification", 3, 2.0),
                                                       ("regression", 0, 3.0)])
def test_boundary_compact_round_trip(plane, xor, problem, n_classes, scale):
    xs, ys, _, z = plane
    z = np.round(z * scale) if problem == "classification" and n_classes > 2 else z * scale
    if problem == "regression":
        z = z - 1.5                                       # beyond [-1, 1]: must not be clipped
    y = xor.y_train if n_classes <= 2 else xor.y_train + 1
    args = (xs, ys, z, xor.X_train, y)
    plain = valid(decision_boundary_figure(*args, problem=problem, n_classes=n_classes))
    compact = decision_boundary_figure(*args, problem=problem, n_classes=n_classes, compact=True)
    assert_same_up_to_quantisation(compact, plain)


def test_boundary_nan_output_is_a_gap(plane, xor):
    xs, ys, _, z = plane
    z = z.copy()
    z[0, 0] = np.nan
    fig = valid(decision_boundary_figure(xs, ys, z, xor.X_train, xor.y_train, problem="classification",
                                         n_classes=2))
    assert fig["data"][0]["z"][0][0] is None


# ---------------------------------------------------------------------------------------------
# curves


def test_loss_curves():
    steps = np.arange(0, 500, 10, dtype=np.float32)
    train = np.exp(-steps / 100).astype(np.float32)
    fig = valid(loss_curves_figure(steps, train, train * 1.2))
    a, b = fig["data"]
    assert (a["x0"], a["dx"]) == (0, 10) and "x" not in a and len(a["y"]) == 50     # evenly spaced: x0/dx
    assert x_of(a) == list(range(0, 500, 10))
    assert a["line"].get("dash") is None and b["line"]["dash"] == "dash"
    assert np.allclose(a["y"], train, rtol=1e-3)
    assert fig["layout"]["yaxis"]["type"] == "linear" and "yaxis2" not in fig["layout"]


def test_loss_curves_log_axis_and_metric():
    steps = np.arange(5)
    fig = valid(loss_curves_figure(steps, [1.0, 0.5, 0.0, 0.1, 0.01], [1, 1, 1, 1, np.nan], log_y=True,
                                   metric=[0.5, 0.6, 0.7, 0.8, 0.9], metric_name="accuracy"))
    train, test, metric = fig["data"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert train["y"][2] is None and test["y"][4] is None      # 0 and NaN cannot be drawn on a log axis
    assert metric["yaxis"] == "y2" and metric["name"] == "accuracy" and metric["line"]["dash"] == "dot"
    y2 = fig["layout"]["yaxis2"]
    assert y2["side"] == "right" and y2["range"] == [0, 1] and y2["overlaying"] == "y"


@pytest.mark.parametrize("log_y", [False, True])
def test_loss_curves_empty_history(log_y):
    fig = valid(loss_curves_figure(np.array([]), np.array([]), np.array([]), log_y=log_y, metric=np.array([])))
    assert all(x_of(t) == [] and t["y"] == [] for t in fig["data"])


def test_loss_curves_uneven_steps_are_listed():
    fig = valid(loss_curves_figure([0, 10, 20, 40, 80], [5, 4, 3, 2, 1], [5, 4, 3, 2, 1]))
    assert fig["data"][0]["x"] == [0, 10, 20, 40, 80]
    fig = valid(loss_curves_figure([0.5, 1.25, 2.0], [3, 2, 1], [3, 2, 1]))
    assert x_of(fig["data"][0]) == [0.5, 1.25, 2.0]


def test_grad_norms_over_time_puts_zeros_on_a_marked_floor_leaves_gaps_at_nan_and_runs_dark_to_light():
    rng = np.random.default_rng(0)
    T, L = 40, 30
    g = 10.0 ** rng.uniform(-8, 1, (T, L))
    g[3, 0] = 0.0
    g[5, 0] = np.nan
    g[7, 29] = np.inf
    g[:, 10] = 0.0                                       # a layer whose gradient vanished entirely
    fig = valid(grad_norms_over_time_figure(np.arange(T), g))
    *traces, floor = fig["data"]
    assert [t["name"] for t in traces] == [f"layer {l}" for l in range(1, L + 1)]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert all(x_of(t) == list(range(T)) and len(t["y"]) == T for t in traces)
    # a log axis cannot show NaN or inf: gaps (None), not a line drawn across them
    assert [k for k, v in enumerate(traces[0]["y"]) if v is None] == [5]
    assert [k for k, v in enumerate(traces[29]["y"]) if v is None] == [7]
    # a zero sits on the floor, a whole decade below the smallest positive value, drawn and labelled
    smallest = np.nanmin(np.where((g > 0) & np.isfinite(g), g, np.nan))
    level = 10.0 ** (np.floor(np.log10(smallest)) - 1)
    assert traces[0]["y"][3] == pytest.approx(level) and traces[10]["y"] == pytest.approx([level] * T)
    assert floor["text"][0] == "0: dead" and floor["y"] == pytest.approx([level, level])
    np.testing.assert_allclose([v for v in traces[1]["y"]], g[:, 1], rtol=1e-3)

    def lightness(hex_colour):
        return sum(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    shades = [lightness(t["line"]["color"]) for t in traces]
    assert shades == sorted(shades) and shades[0] < shades[-1]
    assert sum(t["showlegend"] for t in traces) <= 8      # a compact legend for a deep net


@pytest.mark.parametrize("uneven", [False, True])
def test_curves_compact_carry_the_same_values_as_float32(uneven):
    steps = np.arange(0, 60, 2) + (np.arange(30) ** 2 if uneven else 0)
    loss = np.exp(-steps / 20)
    loss[4] = np.nan
    g = 10.0 ** np.linspace(-9, 2, 60).reshape(30, 2)
    g[6, 1] = 0.0
    g[7, 1] = np.nan
    pairs = [(loss_curves_figure(steps, loss, loss * 2, log_y=True, metric=1 - loss, compact=True),
              valid(loss_curves_figure(steps, loss, loss * 2, log_y=True, metric=1 - loss))),
             (grad_norms_over_time_figure(steps, g, compact=True), valid(grad_norms_over_time_figure(steps, g)))]
    for compact, plain in pairs:
        chart_payload([compact], 360, 0)                 # sendable
        assert any(v is None for t in plain["data"] for v in t["y"])
        curves = [t for t in compact["data"] if t["name"] != "0: dead"]      # the zero floor: its own 2 points
        # the x values travel once, in the first trace; the others point at it
        assert [("x" in t, "xFrom" in t) for t in curves] == [(uneven, False)] + [(False, uneven)] * (len(curves) - 1)
        assert all(decode_typed_array(t["y"]).dtype == np.float32 for t in curves)
        drawn = expanded(compact)
        go.Figure(drawn)
        for c, p in zip(drawn["data"], plain["data"]):
            gaps = [v is None for v in p["y"]]
            assert [v is None for v in c["y"]] == gaps                   # the same gaps (NaN in float32)
            np.testing.assert_allclose(np.array(c["y"], dtype=float)[~np.array(gaps)],
                                       np.array(p["y"], dtype=float)[~np.array(gaps)], rtol=1e-3)
            assert x_of(c) == x_of(p)


@pytest.mark.parametrize("T", [511, 512, 513, 1024, 1023])
def test_long_curves_are_thinned_to_every_kth_point_ending_with_the_newest(T):
    from mlp.figures.curves import MAX_CURVE_POINTS
    steps = np.arange(T) * 5.0
    loss = 1 + np.arange(T) / T
    g = np.column_stack([loss, 2 * loss])
    for fig in (loss_curves_figure(steps, loss, loss, metric=loss / 2), grad_norms_over_time_figure(steps, g)):
        for trace in fig["data"]:
            x, y = np.array(x_of(trace)), np.array(trace["y"])
            assert len(x) <= MAX_CURVE_POINTS and x[-1] == steps[-1]          # the newest point is there
            k = -(-T // MAX_CURVE_POINTS)
            assert np.array_equal(np.diff(x), np.full(len(x) - 1, 5.0 * k))     # evenly, every k-th
            rows = (x / 5).astype(int)
            assert len(x) == len(range(rows[0], T, k)) and rows[0] < k         # nothing but the thinning lost
            expected = {"train loss": loss, "test loss": loss, "metric": loss / 2, "layer 1": loss, "layer 2": 2 * loss}
            np.testing.assert_allclose(y, expected[trace["name"]][rows], rtol=1e-3)


def test_log_axes_label_decades_and_write_minor_marks_in_full():
    """Issue 23 item 7: ‖dW‖ ticks read "2, 10⁻¹, 5, 2" (Plotly's D2 labels minor ticks with a bare digit).
    Over 1.5 decades (10^-1.2 … 10^0.3): 1, 2 and 5 times each power of ten inside, every label a whole
    number's name; over 16 decades every 3rd power (at most 7 labels), as powers."""
    steps = np.arange(50)
    calm = 10.0 ** np.linspace(-1.2, 0.3, 100).reshape(50, 2)          # 0.063 … 1.995
    wild = 10.0 ** np.linspace(-14, 2, 100).reshape(50, 2)             # 16 decades
    y = grad_norms_over_time_figure(steps, calm)["layout"]["yaxis"]
    assert y["tickvals"] == [0.1, 0.2, 0.5, 1] and y["ticktext"] == ["0.1", "0.2", "0.5", "1"]
    y = grad_norms_over_time_figure(steps, wild)["layout"]["yaxis"]
    assert y["tickvals"] == [10.0 ** k for k in range(-12, 3, 3)]
    assert y["ticktext"] == ["10⁻¹²", "10⁻⁹", "10⁻⁶", "10⁻³", "1"]
    loss = loss_curves_figure(steps, calm[:, 0], calm[:, 1], log_y=True)
    assert loss["layout"]["yaxis"]["ticktext"] == ["0.1", "0.2", "0.5", "1"]
    assert "tickvals" not in loss_curves_figure(steps, calm[:, 0], calm[:, 1])["layout"]["yaxis"]


def test_grad_norms_over_time_empty_and_single_layer():
    valid(grad_norms_over_time_figure([], np.zeros((0, 3))))
    fig = valid(grad_norms_over_time_figure([1, 2], [0.1, 0.2]))
    assert len(fig["data"]) == 1


# ---------------------------------------------------------------------------------------------
# per-layer views


def test_layer_histograms_one_layer():
    counts = np.array([[1, 5, 3, 0]])
    fig = valid(layer_histograms_figure(counts, np.array([[-1.0, -0.5, 0.0, 0.5, 1.0]]), title_prefix="layer"))
    (bar,) = fig["data"]
    assert bar["type"] == "bar" and bar["y"] == [1, 5, 3, 0]
    assert bar["x"] == [-0.75, -0.25, 0.25, 0.75] and bar["width"] == 0.5
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["layer 1"]


def test_layer_histograms_twelve_layers_show_first_and_last_four():
    counts = np.arange(12 * 30).reshape(12, 30)
    edges = np.linspace(-12, 2, 31)                          # shared, as for gradients
    fig = valid(layer_histograms_figure(counts, edges, title_prefix="layer", log_x_label="log₁₀|dW|"))
    assert len(fig["data"]) == 8
    assert [t["xaxis"] for t in fig["data"]] == ["x"] + [f"x{i}" for i in range(2, 9)]
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert texts[:8] == [f"layer {l}" for l in (1, 2, 3, 4, 9, 10, 11, 12)]
    assert fig["layout"]["xaxis"]["tickvals"] == [-10, 0]            # narrow panels: few, upright ticks
    assert "layers 5–8 hidden" in texts and "log₁₀|dW|" in texts
    assert fig["data"][4]["y"] == counts[8].tolist()
    domains = [fig["layout"]["xaxis" + t["xaxis"][1:]]["domain"] for t in fig["data"]]
    assert all(0 <= a < b <= 1 for a, b in domains)
    assert all(prev[1] < nxt[0] for prev, nxt in zip(domains, domains[1:]))    # side by side, no overlap


def test_layer_histograms_titles_are_layers_and_prefix_names_the_quantity():
    fig = valid(layer_histograms_figure(np.ones((2, 4), int), np.linspace(-12, 2, 5), title_prefix="gradients",
                                        log_x_label="log₁₀|dW|"))
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["layer 1", "layer 2", "log₁₀|dW|"]
    assert [t["name"] for t in fig["data"]] == ["gradients, layer 1", "gradients, layer 2"]


def test_layer_histograms_per_layer_edges():
    edges = np.stack([np.linspace(-1, 1, 11), np.linspace(0, 1, 11)])
    fig = valid(layer_histograms_figure(np.ones((2, 10), int), edges, title_prefix="layer"))
    assert fig["layout"]["xaxis2"]["range"] == [0, 1] and np.isclose(fig["data"][1]["width"], 0.1)


def test_layer_histograms_compact_carry_the_same_bars():
    rng = np.random.default_rng(1)
    counts = rng.integers(0, 500, (3, 10))
    for edges in (np.linspace(-1, 1, 11), np.stack([np.linspace(-1, 1, 11), np.geomspace(1, 2, 11),
                                                    np.linspace(0, 1, 11)])):
        plain = valid(layer_histograms_figure(counts, edges, title_prefix="layer"))
        compact = layer_histograms_figure(counts, edges, title_prefix="layer", compact=True)
        go.Figure(compact)
        for c, p in zip(compact["data"], plain["data"]):
            assert decode_typed_array(c["y"]).tolist() == p["y"]
            x = decode_typed_array(c["x"]) if "x" in c else c["x0"] + c["dx"] * np.arange(len(p["x"]))
            np.testing.assert_allclose(x, p["x"], atol=1e-4)
            width = decode_typed_array(c["width"]) if is_typed_array(c["width"]) else c["width"]
            np.testing.assert_allclose(width, p["width"], rtol=1e-5)


def test_grad_norm_by_layer():
    fig = valid(grad_norm_by_layer_figure(np.array([1e-9, 0.0, np.nan, 1e-3, 1.0]),
                                          delta_mean_abs=np.array([1e-6, 1e-5, 1e-4, 1e-3, 1e-2]),
                                          update_ratio=np.array([1e-3] * 5)))
    norms, delta, update, floor = fig["data"]
    # the zero sits on the floor, a decade below the smallest positive value (1e-9): NaN is left out
    assert norms["x"] == [1, 2, 4, 5] and np.allclose(norms["y"], [1e-9, 1e-10, 1e-3, 1.0])
    assert floor["y"] == [1e-10, 1e-10] and floor["text"][0] == "0: dead"
    assert delta["x"] == [1, 2, 3, 4, 5] and update["name"] == "‖ΔW[l]‖/‖W[l]‖"
    assert fig["layout"]["yaxis"]["type"] == "log"
    fig = valid(grad_norm_by_layer_figure([0.5]))
    assert len(fig["data"]) == 1


def test_grad_norm_by_layer_of_a_dead_net_is_a_marked_floor_not_an_empty_chart():
    fig = valid(grad_norm_by_layer_figure([0.0, 0.0, 0.0]))
    line, floor = fig["data"]
    assert line["x"] == [1, 2, 3] and len(set(line["y"])) == 1 and floor["text"][0] == "0: dead"


def test_confusion_matrix():
    m = np.array([[5, 1, 0], [2, 7, 1], [0, 0, 9]])
    fig = valid(confusion_matrix_figure(m, ["A", "B", "C"]))
    (heat,) = fig["data"]
    assert heat["z"] == m.tolist() and heat["x"] == heat["y"] == ["A", "B", "C"]
    assert heat["texttemplate"] == "%{z}"
    assert fig["layout"]["yaxis"]["autorange"] == "reversed"


# ---------------------------------------------------------------------------------------------
# network view


def heatmaps(fig):
    return [t for t in fig["data"] if t["type"] == "heatmap"]


def neuron_images(fig, column: int) -> np.ndarray:
    """The g x g images of one layer's neurons, unit 0 first, cut out of its heatmap by position."""
    h = heatmaps(fig)[column]
    z = np.array(h["z"], dtype=float)
    (labels,) = [t for t in fig["data"] if t.get("name") == "neuron labels"]
    g = round(1 / h["dx"])
    out = []
    for x, y in zip(labels["x"], labels["y"]):
        if abs(x - (h["x0"] - h["dx"] / 2 + 0.5)) < 1e-6:                 # this column's neurons
            row = round((y - 0.5 - (h["y0"] - h["dy"] / 2)) / h["dy"])     # the square's bottom row
            out.append(z[row:row + g])
    return np.array(out)


def link_traces(fig):
    """The traces that draw links (a class of width no link falls in is an empty trace, kept so that the
    traces stay the same from frame to frame)."""
    return [t for t in fig["data"] if t["type"] == "scatter" and t["mode"] == "lines" and t["name"] != "neurons"
            and len(t["x"]["bdata"] if isinstance(t["x"], dict) else t["x"])]


def test_network_view():
    sizes = [2, 4, 2, 2]
    weights, grids = small_network(sizes)
    weights[1][2, 1] = -0.4567                            # a known weight: layer 1 unit 3 -> unit 2
    fig = valid(network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"]))
    assert len(heatmaps(fig)) == len(sizes)               # one heatmap per layer
    assert 1 <= len(link_traces(fig)) <= 10
    n_segments = sum(t["x"].count(None) for t in link_traces(fig))
    assert n_segments == sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    (hover,) = [t for t in fig["data"] if t.get("name") == "weights"]
    assert len(hover["customdata"]) == len(hover["marker"]["color"]) == n_segments
    k = hover["customdata"].index([2, 3, 2])     # weights[1]: layer 2 as the editor says, unit 3 -> unit 2 (from 1)
    assert hover["marker"]["color"][k] == -0.457        # the weight, -0.4567, as the hover text shows it (.3f)
    assert "%{marker.color" in hover["hovertemplate"]
    colours = {t["line"]["color"] for t in link_traces(fig)}
    assert colours == {ORANGE, BLUE}
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert labels == ["X₁", "X₂"]
    (neurons,) = [t for t in fig["data"] if t.get("name") == "neuron labels"]
    assert neurons["text"][:3] == ["layer 0, unit 1 (X₁)", "layer 0, unit 2 (X₂)", "layer 1, unit 1"]
    assert len(neurons["text"]) == sum(sizes)
    (outlines,) = [t for t in fig["data"] if t.get("name") == "neurons"]
    assert outlines["x"].count(None) == sum(sizes)              # one square around every neuron
    assert fig["layout"]["xaxis"]["visible"] is False and fig["layout"]["yaxis"]["scaleanchor"] == "x"
    # each neuron's own grid sits in its own square (found from the hover marker at its centre)
    for c in range(len(sizes)):
        np.testing.assert_allclose(neuron_images(fig, c), np.round(grids[c], 3))
    # each neuron fills a 1x1 square, and its colour scale is symmetric
    h = heatmaps(fig)[0]
    axis = fig["layout"][h["coloraxis"]]
    assert np.isclose(h["dx"] * 8, 1) and axis["cmin"] == -axis["cmax"]


def test_network_view_squares_and_links_meet_the_neuron_images():
    """The outlines and the links' ends are where the heatmap draws each neuron (no drift down a column)."""
    sizes = [2, 16, 3]
    weights, grids = small_network(sizes, g=24)
    fig = network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"])
    h = heatmaps(fig)[1]
    z = np.array(h["z"], dtype=float)
    (outlines,) = [t for t in fig["data"] if t.get("name") == "neurons"]
    xs, ys = outlines["x"], outlines["y"]
    squares = [(xs[k], ys[k], ys[k + 2]) for k in range(0, len(xs), 6)]          # (left, bottom, top)
    column = [(b, t) for x, b, t in squares if abs(x - (h["x0"] - h["dx"] / 2)) < 1e-3]
    assert len(column) == 16
    for bottom, top in column:
        rows = np.arange(len(z)) * h["dy"] + h["y0"]
        inside = (rows > bottom) & (rows < top)
        assert inside.sum() == 24 and np.isfinite(z[inside]).all()          # a whole image in each square
    gaps = np.isnan(z).all(axis=1)
    assert gaps.sum() == 15 * round(0.3 * 24)                              # blank rows only between neurons
def test_network_link_width_grows_with_weight():
    sizes = [1, 2]
    weights = [np.array([[0.1, -2.0]])]
    _, grids = small_network(sizes)
    fig = valid(network_figure(sizes, weights, grids, feature_labels=["X₁"]))
    thin, = [t for t in link_traces(fig) if t["line"]["color"] == BLUE]
    thick, = [t for t in link_traces(fig) if t["line"]["color"] == ORANGE]
    assert thick["line"]["width"] > thin["line"]["width"]


def test_network_view_wide_layer_shows_sixteen_and_more():
    sizes = [2, 40, 3]
    weights, grids = small_network(sizes, g=4)
    fig = valid(network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"]))
    (neurons,) = [t for t in fig["data"] if t.get("name") == "neuron labels"]
    assert len(neurons["text"]) == 2 + 16 + 3 and len(neuron_images(fig, 1)) == 16
    assert "+24 more" in [a["text"] for a in fig["layout"]["annotations"]]
    assert len(link_traces(fig)) <= 10


def test_ten_wide_layers_say_how_many_more_in_a_word_that_fits_their_columns():
    """Ten hidden layers of 32: sixteen drawn in each, and "+16" under each (the columns are too close for
    "+16 more" side by side); the hover says what it counts."""
    sizes = [2] + [32] * 10 + [2]
    weights, grids = small_network(sizes, g=2)
    notes = [a for a in valid(network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"]))["layout"]["annotations"]
             if str(a.get("text", "")).startswith("+1")]
    assert [a["text"] for a in notes] == ["+16"] * 10
    assert notes[0]["hovertext"] == "16 more neurons, not drawn"


def test_network_view_numbers_links_as_the_weight_editor_does():
    """The hover said "from layer 0 unit 2 to unit 2" where the editor says "Layer 1": the links of
    weights[l] are layer l + 1 (the layer they lead into), units from 1, in the click's ids and the hover."""
    sizes = [2, 3, 2]
    weights, grids = small_network(sizes)
    fig = valid(network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"]))
    (hover,) = [t for t in fig["data"] if t.get("name") == "weights"]
    expected = [[1, i + 1, j + 1] for i in range(2) for j in range(3)] + [[2, i + 1, j + 1] for i in range(3)
                                                                          for j in range(2)]
    assert sorted(hover["customdata"]) == expected
    for ids, w in zip(hover["customdata"], hover["marker"]["color"]):
        layer, i, j = ids
        assert w == round(float(weights[layer - 1][i - 1, j - 1]), 3)           # as the hover prints it (.3f)
    template = hover["hovertemplate"]
    assert "layer %{customdata[0]}, from unit %{customdata[1]}" in template and "to unit %{customdata[2]}" in template
    # everything inside the hover's box: nothing in the <extra> part (drawn beside it), short lines
    assert template.endswith("<extra></extra>") and "click to edit" in template
    shown = template.removesuffix("<extra></extra>").replace("<br>", "\n")
    shown = re.sub(r"%\{customdata[^}]*\}", "16", shown)               # at most 16 units are drawn
    shown = re.sub(r"<[^>]*>", "", re.sub(r"%\{[^}]*\}", "-12.345", shown)).splitlines()
    assert len(shown) >= 3 and all(len(line) <= 26 for line in shown), shown


def test_network_view_deep_net_keeps_few_link_traces():
    sizes = [7] + [8] * 12 + [1]
    weights, grids = small_network(sizes, g=4)
    fig = valid(network_figure(sizes, weights, grids, feature_labels=[f"f{i}" for i in range(7)]))
    assert len(heatmaps(fig)) == len(sizes) and len(link_traces(fig)) <= 10


def test_network_view_keeps_its_traces_while_the_weights_change():
    """A playing frame is painted in place only when its traces are the previous frame's (mlp/ui/plotly_live.js:
    figureChanges): links changing width class move between traces, no trace comes or goes."""
    sizes = [2, 3, 2]
    weights, grids = small_network(sizes)
    names = []
    for scale in (1.0, -0.01, 7.0):             # every link in the thickest class, in the thinnest, signs flipped
        fig = network_figure(sizes, [w * scale for w in weights], grids, feature_labels=["X₁", "X₂"], compact=True)
        names.append([t.get("name") for t in fig["data"]])
    assert names[0] == names[1] == names[2]
    assert sum("weights, width class" in str(n) for n in names[0]) == 10


def test_network_view_compact_round_trip():
    sizes = [2, 4, 2, 2]
    weights, grids = small_network(sizes, g=24)
    plain = valid(network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"]))
    compact = network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"], compact=True)
    assert len([t for t in compact["data"] if "zcodes" in t]) == len(sizes)
    assert_same_up_to_quantisation(compact, plain)
    # the coordinates and the clicked link's ids travel as typed arrays, not as printed numbers
    assert all(is_typed_array(t["x"]) for t in compact["data"] if t["type"] == "scatter")
    (hover,) = [t for t in compact["data"] if t.get("name") == "weights"]
    assert hover["customdata"]["dtype"] == "u1"


# ---------------------------------------------------------------------------------------------
# the package as a whole


def nested_values(value):
    """value and everything inside it (dict values, list items), depth first."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        yield from nested_values(child)


def test_chart_payload_sends_arrays_as_binary_and_reads_back():
    frame = default_frame()
    data = chart_payload(frame, 300, 7, plane_clicks=True)
    n = int.from_bytes(data[:4], "little")
    header = json.loads(data[4:4 + n])                     # the JSON part is plain JSON
    assert header["height"] == 300 and header["revision"] == 7 and header["planeClicks"] is True
    refs = [v["@bin"] for v in nested_values(header) if isinstance(v, dict) and set(v) == {"@bin"}]
    # every array the figures hold as bytes is in the tail, back to back, and nowhere else
    blobs = [v for v in nested_values(frame) if isinstance(v, bytes)]
    assert len(refs) == len(blobs) > 10
    assert [length for _, length in refs] == [len(b) for b in blobs]
    assert len(data) == 4 + n + sum(len(b) for b in blobs)
    assert read_chart_payload(data)["frames"] == frame
    with pytest.raises(TypeError):                          # what JSON cannot say is an error
        chart_payload([{"data": [{"x": {1, 2}}]}], 300, 0)
    # numpy scalars and arrays read back as the numbers they hold, as the standard json writes floats
    scalars = {"a": np.float64(0.25), "b": np.int64(3), "c": np.bool_(True), "d": np.float32(0.5),
               "e": np.array([1.0, np.nan])}
    back = read_chart_payload(chart_payload([{"data": [scalars], "layout": {}}], 300, 0))["frames"][0]["data"][0]
    assert back == {"a": 0.25, "b": 3, "c": True, "d": 0.5, "e": [1.0, None]}
    # NaN and inf outside a typed array: null (a gap to Plotly), never the NaN that JSON.parse rejects
    nan = chart_payload([{"data": [{"x": [float("nan"), 1.5, float("inf")]}], "layout": {}}], 300, 0)
    assert read_chart_payload(nan)["frames"][0]["data"][0]["x"] == [None, 1.5, None]


def test_figures_never_import_streamlit():
    code = "import sys, mlp.figures; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=FIGURES_DIR.parent.parent)
    assert out.stdout.strip() == "False"
    for path in FIGURES_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import streamlit" not in text and "from streamlit" not in text, path.name


def default_frame() -> list[dict]:
    """The figures of the default page for one animation frame (the budget the app lives within)."""
    rng = np.random.default_rng(0)
    data = make_dataset("xor", 500)
    xs, ys, points = grid(100)
    z = 1 / (1 + np.exp(-(6.25 - (points ** 2).sum(1)))).reshape(100, 100)
    steps = np.arange(500, dtype=np.float32) * 10
    loss = (0.7 * np.exp(-steps / 2000) + 0.01 * rng.random(500)).astype(np.float32)
    grad_norms = (10.0 ** rng.uniform(-3, 0, (500, 3))).astype(np.float32)
    sizes = [2, 4, 2, 2]
    weights, grids = small_network(sizes, g=24)
    return [
        decision_boundary_figure(xs, ys, z, data.X_train, data.y_train, data.X_test, data.y_test,
                                 problem="classification", n_classes=2, compact=True),
        loss_curves_figure(steps, loss, loss * 1.1, metric=1 - loss, metric_name="accuracy"),
        grad_norms_over_time_figure(steps, grad_norms),
        layer_histograms_figure(rng.integers(0, 200, (3, 30)), np.tile(np.linspace(-1, 1, 31), (3, 1)),
                                title_prefix="layer"),
        layer_histograms_figure(rng.integers(0, 200, (3, 30)), np.linspace(-12, 2, 31), title_prefix="layer",
                                log_x_label="log₁₀|dW|"),
        network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"], compact=True),
    ]


def test_default_frame_is_small():
    frame = default_frame()
    size = sum(len(chart_payload([fig], 360, 0)) for fig in frame)
    assert size < 100_000, f"the default frame is {size} bytes"


def test_layer_histograms_name_a_single_hidden_layer_and_label_the_overflow():
    counts = np.zeros((9, 4), int)
    counts[:, 1] = 5
    counts[0, -1] = 7                    # layer 1: 7 values at or beyond its top
    counts[8, 0] = 3                     # layer 9: 3 below its bottom
    edges = np.linspace(-16, 8, 5)
    fig = valid(layer_histograms_figure(counts, edges, title_prefix="gradients", log_x_label="log₁₀|dW|",
                                        open_ends=(True, True)))
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "layer 5 hidden" in texts and not any("5–5" in t for t in texts)
    assert "≥10²: 7" in texts and "≤10⁻¹⁰: 3" in texts
    closed = layer_histograms_figure(counts, edges, title_prefix="activations")
    assert not any(":" in a["text"] for a in closed["layout"]["annotations"])     # nothing open, nothing labelled


def test_narrow_histogram_panels_keep_their_tick_labels_off_the_panel_ends():
    """With more than four panels side by side, a [0, 1] panel labelled at 0 and 1 runs into its neighbours
    ("0" and "1" read "10"): its ticks stay a tenth of the span inside, here the one at 0.5."""
    counts = np.ones((10, 20), int)
    fig = valid(layer_histograms_figure(counts, np.linspace(0, 1, 21), title_prefix="activations"))
    for i in ("", "2", "3", "4", "5", "6", "7", "8"):
        assert fig["layout"][f"xaxis{i}"]["tickvals"] == [0.5]
    few = valid(layer_histograms_figure(np.ones((3, 20), int), np.linspace(0, 1, 21), title_prefix="activations"))
    assert few["layout"]["xaxis"]["tickvals"][0] == 0 and few["layout"]["xaxis"]["tickvals"][-1] == 1


def test_numbers_are_written_with_superscript_powers():
    from mlp.notation import number_text, power_of_ten, power_of_two
    assert power_of_ten(-3) == "10⁻³" and power_of_ten(12) == "10¹²"
    assert power_of_two(2 ** -14.5) == "2⁻¹⁴·⁵" and power_of_two(1.0) == "2⁰·⁰"
    assert number_text(3.2e-6) == "3.2·10⁻⁶" and number_text(1e5) == "10⁵" and number_text(0.5) == "0.5"
    assert number_text(9.96e-4) == "10⁻³"          # a mantissa that rounds to 10 carries into the power


def test_at_step_0_the_curves_label_whole_steps_and_a_full_decade():
    """One recorded step: the step axis is ticked at whole steps (not 0, 0.2 … 1), and a log axis whose
    values lie within a decade spans more than one, so it carries more than a lone "5"."""
    from mlp.figures.curves import grad_norms_over_time_figure, loss_curves_figure
    g = valid(grad_norms_over_time_figure([0], [[0.45, 0.5, 0.55]]))
    assert g["layout"]["xaxis"]["dtick"] == 1 and g["layout"]["xaxis"]["tick0"] == 0
    lo, hi = g["layout"]["yaxis"]["range"]
    assert hi - lo > 1 and lo < np.log10(0.45) and hi > np.log10(0.55)
    loss = valid(loss_curves_figure([0], [0.7], [0.69]))
    assert loss["layout"]["xaxis"]["dtick"] == 1
    many = valid(loss_curves_figure(np.arange(0, 500, 10), np.ones(50), np.ones(50)))
    assert "dtick" not in many["layout"]["xaxis"]


def test_the_stage_network_shows_every_feature_links_the_chosen_ones_and_carries_its_controls():
    """The Playground's network view: all seven features in the first column, links only from the
    two switched on (X₁², the third, among them), the others faded; - / + per hidden layer and for
    the number of layers, each click as JSON; a bias square per neuron after the inputs."""
    sizes, inputs = [2, 3, 2], [False, True, True, False, False, False, False]
    weights, grids = small_network(sizes)
    grids[0] = np.tanh(np.random.default_rng(1).normal(size=(7, 8, 8)))          # every feature's map
    biases = [np.array([[0.5, -1.0, 0.25]]), np.array([[2.0, -2.0]])]
    labels = ["X₁", "X₂", "X₁²", "X₂²", "X₁X₂", "sin(X₁)", "sin(X₂)"]
    fig = valid(network_figure(sizes, weights, grids, feature_labels=labels, biases=biases, inputs=inputs,
                               controls=True))
    neurons = next(t for t in fig["data"] if t.get("name") == "neuron labels")
    ys = dict(zip(map(tuple, neurons["customdata"]), neurons["y"]))
    rows = {j: ys[("feature", j)] for j in range(7)}
    links = next(t for t in fig["data"] if t.get("name") == "weights")
    first = [k for k, c in enumerate(links["customdata"]) if c[0] == 1]
    assert len(first) == 2 * 3                                   # two inputs times three hidden units
    # each link from input i starts at the row of the i-th feature switched on (rows 1 and 2)
    starts = {links["customdata"][k][1] for k in first}
    for k in first:
        unit_from, unit_to = links["customdata"][k][1:]
        to_y = ys[("neuron", 1, unit_to)]
        # (midpoints are sent to 2 places: doubling one errs by up to 0.01, plus its own rounding)
        assert 2 * links["y"][k] - to_y == pytest.approx(rows[[1, 2][unit_from - 1]], abs=0.025)
    assert set(starts) == {1, 2}
    faded = [s for s in fig["layout"]["shapes"] if s["fillcolor"].startswith("rgba(255,255,255")]
    assert sorted(round((s["y0"] + s["y1"]) / 2, 4) for s in faded) == sorted(
        round(rows[j], 4) for j in (0, 3, 4, 5, 6))
    clicks = [json.loads(a["name"]) for a in fig["layout"]["annotations"] if a.get("name")]
    assert sorted(clicks) == sorted([["width", 1, -1], ["width", 1, 1], ["layers", 0, -1], ["layers", 0, 1]])
    bias = next(t for t in fig["data"] if t.get("name") == "biases")
    assert bias["customdata"] == [["bias", 1, 1], ["bias", 1, 2], ["bias", 1, 3], ["bias", 2, 1], ["bias", 2, 2]]
    assert bias["marker"]["color"] == [0.5, -1.0, 0.25, 2.0, -2.0]
    assert bias["marker"]["cmin"] == -2.0 and bias["marker"]["cmax"] == 2.0      # one symmetric scale


def test_the_network_writes_each_hidden_layers_share_of_the_backward_error_under_it_by_decades():
    """backward = mean |δ[l]| / mean |δ[last hidden]|: 10⁻⁵ is vanishing (blue), 10⁴ exploding (red), the
    rest within a decade or two of 1 plain; a value that overflowed says so."""
    from mlp.figures.network_view import backward_strip
    from mlp.figures.palette import ALERT, BLUE
    layout = backward_strip([1e-5, 0.03, 0.5, 1e4, float("nan"), 1.0], (0.0, 3.2, 6.4, 9.6, 12.8, 16.0, 19.2),
                            {"annotations": [{"text": "kept"}], "margin": {"t": 62, "b": 4},
                             "yaxis": {"range": [-2.5, 2.5]}})
    notes = layout["annotations"]
    assert notes[0] == {"text": "kept"} and notes[1]["text"] == "|δ|"
    strip = notes[2:]
    assert [n["text"] for n in strip] == ["10⁻⁵", "0.03", "0.5", "10⁴", "∞", "1"]
    assert [n["x"] for n in strip] == [3.2, 6.4, 9.6, 12.8, 16.0, 19.2]        # under hidden layers 1..6
    assert {(n["yref"], n["y"], n["yanchor"]) for n in strip} == {("y", -2.5, "top")}   # under the lowest neuron
    assert strip[0]["bgcolor"] == BLUE and strip[3]["bgcolor"] == ALERT and strip[4]["bgcolor"] == ALERT
    assert "bgcolor" not in strip[2] and "bgcolor" not in strip[5]
    assert layout["margin"] == {"t": 62, "b": 22}


def test_many_layers_put_each_width_above_its_own_two_buttons():
    """Three hidden layers: "- 4 +" side by side. Ten: each layer's - and + close up under its width, so the
    gap to the next layer's buttons is wider than the gap between a layer's own two."""
    from mlp.figures.network_view import BUTTON_SHIFT, CROWDED_BUTTON_SHIFT

    def controls(sizes):
        weights, grids = small_network(sizes, g=2)
        notes = network_figure(sizes, weights, grids, feature_labels=["X₁", "X₂"], controls=True)["layout"]["annotations"]
        buttons = [n for n in notes if '"width", 1,' in str(n.get("name"))]
        width = next(n for n in notes if n.get("hovertext", "").startswith("layer 1:"))
        return sorted(b["xshift"] for b in buttons), width["yshift"], max(b["yshift"] for b in buttons)

    shifts, width_y, button_y = controls([2, 4, 4, 4, 2])
    assert shifts == [-BUTTON_SHIFT, BUTTON_SHIFT] and width_y <= button_y + 1          # side by side
    shifts, width_y, button_y = controls([2] + [32] * 10 + [2])
    assert shifts == [-CROWDED_BUTTON_SHIFT, CROWDED_BUTTON_SHIFT] and width_y >= button_y + 16   # stacked


@pytest.mark.parametrize("value", [1e-7, 0.0123, 0.693, 1.0, 1.01, 9.99, 10.0, 417.0, 4172.0, 123456.0])
def test_a_stepped_axis_ends_on_the_first_rung_at_or_above_the_value(value):
    """A rung is 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten; the end is the least rung >= value."""
    from mlp.figures.axes import stepped_end
    rungs = sorted(r * 10.0 ** k for k in range(-8, 7) for r in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8))
    expected = min(r for r in rungs if r >= value * (1 - 1e-9))
    assert stepped_end(value) == pytest.approx(expected, rel=1e-9)
    assert value <= stepped_end(value) * (1 + 1e-9) <= 1.25 * value * (1 + 1e-9)   # at most a quarter empty


def test_a_playing_loss_chart_has_fixed_axes_holding_every_point_and_a_still_one_autoranges():
    steps, loss = np.arange(0, 4172, 7), 0.7 * np.exp(-np.arange(0, 4172, 7) / 900)
    live = loss_curves_figure(steps, loss, loss * 1.1, compact=True)["layout"]
    assert live["xaxis"]["range"] == [0, 5000] and live["yaxis"]["range"] == [0, 0.8]
    still = loss_curves_figure(steps, loss, loss * 1.1)["layout"]
    assert "range" not in still["xaxis"] and "range" not in still["yaxis"]


@pytest.mark.parametrize("values", [[0.69, 0.3], [0.7, 1e-3, 2e3], [1.0], [5e-7, np.nan, 0.0, -1.0], [0.97, 0.011]])
def test_a_stepped_log_axis_spans_whole_decades_around_the_values(values):
    from mlp.figures.axes import stepped_log_axis
    keys = stepped_log_axis([np.array(values)])
    shown = [v for v in values if np.isfinite(v) and v > 0]
    first, last = keys["range"]
    assert first == int(first) and last == int(last) and last > first                 # whole decades
    # every value in view, a tenth of a decade (a factor 10^0.1) or more inside either end
    assert 10.0 ** (first + 0.1) <= min(shown) * (1 + 1e-9) and max(shown) <= 10.0 ** (last - 0.1) * (1 + 1e-9)
    assert 10.0 ** (first + 1.1) > min(shown)                                         # the least decades that do
    assert 10.0 ** (last - 1.1) < max(shown) or last == first + 1
    assert all(10.0 ** first * (1 - 1e-9) <= t <= 10.0 ** last * (1 + 1e-9) for t in keys["tickvals"])
