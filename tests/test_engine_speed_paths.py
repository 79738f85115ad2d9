"""The engine's fast paths give the same answers as the plain ones they replace.

Column-major workspaces, tanh's exp form, quiet sigmoid, predict's own buffers, and the vectorised
signals (one bincount for every histogram, gradient bins read off the floats' bits) are all there
for speed only; these tests pin them to straightforward references. No test here times anything.
"""
import warnings

import numpy as np
import pytest

import mlp
from mlp.engine.activations import ACTIVATIONS, TANH_EXP_MIN_SIZE
from mlp.engine.outputs import OUTPUTS
from mlp.run.signals import (GRAD_LOG_RANGE, LOG10_MAX_WEIGHTS, N_BINS, ONE_BINCOUNT_MAX, STUCK_THRESHOLD,
                         _log_index_reference, _LogBins, collect_signals, fixed_histogram)
from mlp.engine.step import train_step


# -- activations -------------------------------------------------------------------------------

def test_tanh_exp_form_is_accurate_bounded_and_quiet_in_float32():
    z = np.concatenate([np.linspace(-30, 30, 600_001), [-1e30, -1e4, -800, -44.4, 44.4, 800, 1e4, 1e30,
                                                        np.inf, -np.inf]]).astype(np.float32)
    assert z.size >= TANH_EXP_MIN_SIZE
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # outside any np.errstate
        a = ACTIVATIONS["tanh"].fn(z, np.empty_like(z))
    exact = np.tanh(z.astype(np.float64))
    assert np.abs(a - exact).max() < 3e-7
    assert a.min() >= -1 and a.max() <= 1
    assert a[-10:].tolist() == [-1, -1, -1, -1, 1, 1, 1, 1, 1, -1]
    nan = np.full(TANH_EXP_MIN_SIZE, np.nan, np.float32)
    assert np.isnan(ACTIVATIONS["tanh"].fn(nan, np.empty_like(nan))).all()


@pytest.mark.parametrize("dtype, size", [(np.float64, 2 * TANH_EXP_MIN_SIZE),
                                         (np.float32, TANH_EXP_MIN_SIZE - 1)])
def test_tanh_is_numpys_for_float64_and_small_arrays(dtype, size):
    z = np.random.default_rng(0).normal(scale=3, size=size).astype(dtype)
    np.testing.assert_array_equal(ACTIVATIONS["tanh"].fn(z, np.empty_like(z)), np.tanh(z))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_quiet_and_exact_at_the_extremes(dtype):
    z = np.array([-1e4, -800, -100, 0, 100, 800, 1e4], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = ACTIVATIONS["sigmoid"].fn(z, np.empty_like(z))
    assert a[0] == 0 and a[1] == 0 and a[3] == 0.5 and (a[4:] == 1).all()
    assert 0 < a[2] < 1e-30 or dtype == np.float32        # e^-100 is below float32's range


@pytest.mark.parametrize("activation, output",
                         [("tanh", "softmax"), ("sigmoid", "softmax"), ("tanh", "sigmoid")])
def test_forward_and_predict_are_quiet_for_huge_inputs(activation, output):
    net = mlp.MLP([2, 64, 64, 2 if output == "softmax" else 1], activation=activation, output=output,
                  init="normal", init_gain=50.0, seed=0)
    X = np.random.default_rng(0).normal(scale=1e3, size=(400, 2))       # 400 x 64 >= TANH_EXP_MIN_SIZE
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        P = net.predict(X)
        net.forward(X)
        net.layer_outputs(X)
    assert np.isfinite(P).all()


# -- the workspace's layout --------------------------------------------------------------------

def test_outputs_and_losses_agree_in_either_layout():
    rng = np.random.default_rng(1)
    z = rng.normal(scale=4, size=(300, 3))
    y = np.eye(3)[rng.integers(0, 3, 300)]
    for name, out in OUTPUTS.items():
        zz, yy = (z, y) if name == "softmax" else (z[:, :1], (y[:, :1]))
        c = out.fn(zz, np.empty_like(zz))
        f = out.fn(np.asfortranarray(zz), np.empty_like(zz, order="F"))
        np.testing.assert_allclose(f, c, rtol=1e-15)
        lc = out.loss(c, yy, np.empty_like(c))
        lf = out.loss(f, np.asfortranarray(yy), np.empty_like(f, order="F"))
        assert lf == pytest.approx(lc, rel=1e-14)


def test_backward_matches_a_row_major_float64_reference():
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(37, 3)), np.eye(4)[rng.integers(0, 4, 37)]
    net = mlp.MLP([3, 6, 5, 4], activation="tanh", seed=1, dtype="float64", bias_init=0.1)
    net.forward(X)
    grads = net.backward(Y)
    A, Z = [X], []
    for W, b in zip(net.weights, net.biases):
        Z.append(A[-1] @ W + b)
        A.append(np.tanh(Z[-1]))
    E = np.exp(Z[-1] - Z[-1].max(1, keepdims=True))
    delta = E / E.sum(1, keepdims=True) - Y
    for l in range(net.n_layers - 1, -1, -1):
        np.testing.assert_allclose(grads[l][0], A[l].T @ delta / len(X), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(grads[l][1], delta.sum(0, keepdims=True) / len(X), rtol=1e-12, atol=1e-15)
        delta = (delta @ net.weights[l].T) * (1 - A[l] ** 2)


def test_predict_keeps_the_training_cache_and_returns_arrays_you_own():
    rng = np.random.default_rng(3)
    net = mlp.MLP([2, 16, 16, 3], seed=0)
    X, Y = rng.normal(size=(50, 2)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 50)]
    net.forward_unchecked(X, True)
    cached = [a.copy() for a in net.last_pass.a]
    grid = rng.normal(size=(50, 2))          # the same size as the batch: still separate buffers
    P = net.predict(grid)
    outs = net.layer_outputs(grid)
    assert all(np.array_equal(a, c) for a, c in zip(net.last_pass.a, cached))
    np.testing.assert_array_equal(P, outs[-1])
    np.testing.assert_array_equal(P, net.forward(grid))
    P_before, outs_before = P.copy(), [a.copy() for a in outs]
    net.predict(grid * 3)
    net.layer_outputs(grid * 3)
    np.testing.assert_array_equal(P, P_before)                  # not overwritten by later calls
    assert all(np.array_equal(a, b) for a, b in zip(outs, outs_before))
    net.forward_unchecked(X, True)
    net.backward(Y)                                             # training still works after predict


def test_large_tanh_nets_train_deterministically():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(400, 2)).astype(np.float32)
    Y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, 400)]
    runs = []
    for _ in range(2):
        net, opt = mlp.MLP([2, 32, 32, 2], seed=7), mlp.SGD(0.1)       # 400 x 32 takes the exp form
        for _ in range(20):
            train_step(net, opt, X, Y)
        runs.append(net.params.copy())
    assert np.array_equal(runs[0], runs[1])


# -- signals -----------------------------------------------------------------------------------

def reference_signals(net, before):
    """The signals as first written: layer by layer, np.log10, np.vdot, plain means."""
    ws, L, act = net.last_pass, net.n_layers, net.activation
    ranges = ws.signals.ranges         # fitted to the first report's values (activation_ranges): given here
    act_hist = np.stack([fixed_histogram(a, lo, hi) for a, (lo, hi) in zip(ws.a, ranges)])
    tiny = np.finfo(net.dtype).tiny
    grad_hist = np.stack([fixed_histogram(np.log10(np.abs(dW) + tiny), *GRAD_LOG_RANGE)
                          for dW, _ in net.grads])
    grad_norm = np.array([np.sqrt(np.vdot(dW, dW)) for dW, _ in net.grads], np.float64)
    weight_norm = np.array([np.sqrt(np.vdot(W, W)) for W in net.weights], np.float64)
    update_ratio = np.full(L, np.nan)
    if before is not None:
        old, _ = net._views(before, list(zip(net.sizes[:-1], net.sizes[1:])))
        update_ratio = np.array([np.linalg.norm(W - W0) / max(np.linalg.norm(W0), tiny)
                                 for W, W0 in zip(net.weights, old)])
    delta_mean_abs = np.array([np.abs(d).mean() for d in ws.delta])
    stuck = np.array([np.mean(g.mean(axis=0) < STUCK_THRESHOLD * act.peak_derivative) for g in ws.gate]
                     + [np.nan])
    return act_hist, grad_hist, grad_norm, weight_norm, update_ratio, delta_mean_abs, stuck


def assert_same_signals(net, before):
    s = collect_signals(net, before)
    act_hist, grad_hist, grad_norm, weight_norm, update_ratio, delta_mean_abs, stuck = \
        reference_signals(net, before)
    np.testing.assert_array_equal(s.activation_hist, act_hist)
    np.testing.assert_array_equal(s.gradient_hist, grad_hist)
    assert s.activation_hist.shape == s.gradient_hist.shape == (net.n_layers, N_BINS)
    np.testing.assert_allclose(s.grad_norm, grad_norm, rtol=1e-5)
    np.testing.assert_allclose(s.weight_norm, weight_norm, rtol=1e-5)
    np.testing.assert_allclose(s.update_ratio, update_ratio, rtol=1e-4, equal_nan=True)
    np.testing.assert_allclose(s.delta_mean_abs, delta_mean_abs, rtol=1e-5)
    if net.activation.name != "leaky_relu":     # its always-negative units sit exactly on the threshold
        np.testing.assert_allclose(s.stuck_fraction, stuck, equal_nan=True)
    assert np.isnan(s.stuck_fraction[-1])


@pytest.mark.parametrize("m", [61, 300])       # one bincount for all histograms / one each
@pytest.mark.parametrize("dtype", [None, "float64"])
@pytest.mark.parametrize("sizes, output", [
    ([2, 8, 8, 2], "softmax"),                  # few weights: the log10 path
    ([4, 48, 30, 3], "softmax"),                # more than LOG10_MAX_WEIGHTS: the bit-pattern path
    ([3, 40, 40, 1], "sigmoid"),
    ([2, 50, 50, 2], "linear"),
    ([5, 3], "softmax"),                        # no hidden layer
])
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_signals_match_the_layer_by_layer_reference(activation, sizes, output, dtype, m):
    rng = np.random.default_rng(sum(sizes))
    net = mlp.MLP(sizes, activation=activation, output=output, init="he_normal", seed=1, dtype=dtype)
    X = rng.normal(size=(m, sizes[0])).astype(net.dtype)
    Y = (np.eye(sizes[-1])[rng.integers(0, sizes[-1], m)] if output == "softmax"
         else rng.integers(0, 2, (m, sizes[-1]))).astype(net.dtype)
    last_good, opt = net.copy_params(), mlp.SGD(0.5)
    with np.errstate(all="ignore"):
        for _ in range(3):
            train_step(net, opt, X, Y, last_good=last_good)
            assert_same_signals(net, last_good)
        net.forward_unchecked(X[:17], False)             # another batch size: its own plan
        net.backward_unchecked(Y[:17])
        assert_same_signals(net, None)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_are_monotone_as_the_signals_assume(name):
    # collect_signals skips the clip for functions whose values at +-1e30 lie inside their range,
    # which is only safe for monotone ones
    z = np.linspace(-50, 50, 100_001)
    a = ACTIVATIONS[name].fn(z, np.empty_like(z))
    assert (np.diff(a) >= 0).all()


def test_both_gradient_and_counting_paths_are_taken_by_the_parametrised_nets():
    assert mlp.MLP([2, 8, 8, 2]).n_weights <= LOG10_MAX_WEIGHTS < mlp.MLP([4, 48, 30, 3]).n_weights
    values = [m * sum(sizes[1:]) + mlp.MLP(sizes).n_weights for m in (61, 300)
              for sizes in ([2, 8, 8, 2], [2, 50, 50, 2])]
    assert min(values) <= ONE_BINCOUNT_MAX < max(values)


@pytest.mark.parametrize("nan_where", ["gradient", "activations", "inf gradient"])
def test_signals_of_a_diverged_step_drop_nans_like_the_reference(nan_where):
    rng = np.random.default_rng(5)
    net = mlp.MLP([2, 40, 40, 2], seed=0)
    X, Y = rng.normal(size=(30, 2)).astype(np.float32), np.eye(2, dtype=np.float32)[rng.integers(0, 2, 30)]
    with np.errstate(all="ignore"):
        if nan_where == "activations":
            net.params[5] = np.nan
        net.forward_unchecked(X, True)
        net.backward_unchecked(Y)
        if nan_where == "gradient":
            net.grad[:4] = [np.nan, np.inf, -np.inf, 1e30]
        elif nan_where == "inf gradient":
            net.grad[100] = np.inf
        s = collect_signals(net, None)
        act_hist, grad_hist = reference_signals(net, None)[:2]
    np.testing.assert_array_equal(s.activation_hist, act_hist)
    np.testing.assert_array_equal(s.gradient_hist, grad_hist)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bit_pattern_bins_equal_log10_bins(dtype):
    bins = _LogBins(dtype)
    int_type = bins.int_type
    rng = np.random.default_rng(6)
    # every bin edge, found independently by bisecting the reference over the bit patterns,
    # with a window of neighbouring floats around it
    lo, hi = GRAD_LOG_RANGE
    edges = 10.0 ** np.linspace(lo, hi, N_BINS + 1)[1:-1]
    centre = np.array(edges, dtype).view(int_type).astype(np.int64)
    window = (centre[:, None] + np.arange(-3000, 3000)).ravel()
    # and floats from every octave: zero, subnormals, normals up to the largest, infinity
    n_exponent_bits = 8 * np.dtype(dtype).itemsize - 1 - np.finfo(dtype).nmant
    spread = rng.integers(0, np.array(np.inf, dtype).view(int_type), 200_000, dtype=np.int64)
    special = np.array([0, 1, 2, np.array(np.finfo(dtype).tiny, dtype).view(int_type),
                        np.array(np.inf, dtype).view(int_type)], np.int64)
    assert (1 << n_exponent_bits) == len(bins.edge)
    bits = np.concatenate([window, spread, special])
    g = bits.astype(int_type).view(dtype)
    g = np.concatenate([g, -g])                                       # the sign does not matter
    index = bins.index(g, np.empty(g.shape, np.intp), bins.scratch(len(g)))
    np.testing.assert_array_equal(index, _log_index_reference(g))
    assert set(index[:len(window)]) >= set(range(1, N_BINS))          # every edge was crossed
