"""Optimizer updates against numbers worked out by hand from the update rules."""
import math

import numpy as np
import pytest

import mlp
from mlp.engine.schedules import SCHEDULES


def one_weight_net(w, b):
    """A net whose parameter vector is exactly [w, b]."""
    net = mlp.MLP([1, 1], activation="linear", output="linear", dtype="float64")
    net.params[:] = [w, b]
    return net


def step_with(opt, net, g):
    net.grad[:] = g
    opt.step(net, net.grads)


def test_sgd_step():
    net = one_weight_net(1.0, -2.0)
    step_with(mlp.SGD(lr=0.1), net, [0.5, 0.1])
    np.testing.assert_allclose(net.params, [0.95, -2.01])


def test_momentum_two_steps():
    # v1 = g1 = (0.5, 0.1);  p1 = (1, -2) - 0.1 v1 = (0.95, -2.01)
    # v2 = 0.9 v1 + g2 = (0.45 + 0.2, 0.09 - 0.3) = (0.65, -0.21);  p2 = p1 - 0.1 v2 = (0.885, -1.989)
    net, opt = one_weight_net(1.0, -2.0), mlp.Momentum(lr=0.1, beta=0.9)
    step_with(opt, net, [0.5, 0.1])
    np.testing.assert_allclose(net.params, [0.95, -2.01])
    step_with(opt, net, [0.2, -0.3])
    np.testing.assert_allclose(net.params, [0.885, -1.989])


def test_adam_two_steps():
    net, opt = one_weight_net(1.0, -2.0), mlp.Adam(lr=0.1)
    # step 1: m̂ = g, v̂ = g², so the step is lr·g/|g| = 0.1 in the direction of -g
    step_with(opt, net, [0.5, -0.1])
    np.testing.assert_allclose(net.params, [0.9, -1.9], rtol=1e-7)
    # step 2, g = (0.1, 0.3): m = (0.055, 0.021), v = (0.00025975, 0.00009999),
    # m̂ = m / 0.19, v̂ = v / 0.001999 -> steps 0.1 m̂ / sqrt(v̂) = (0.0803041, 0.0494190)
    step_with(opt, net, [0.1, 0.3])
    np.testing.assert_allclose(net.params, [0.9 - 0.0803041, -1.9 - 0.0494190], atol=1e-6)
    assert opt.t == 2


def test_state_after_hand_worked_steps_and_a_restored_optimizer_goes_on_alike():
    net, opt = one_weight_net(1.0, -2.0), mlp.Adam(lr=0.1)
    assert opt.state() is None                               # nothing before the first step
    step_with(opt, net, [0.5, -0.1])
    state = opt.state()
    # after one step: m = (1 - 0.9) g, v = (1 - 0.999) g², t = 1
    assert set(state) == {"m", "v", "t"} and state["t"] == 1
    np.testing.assert_allclose(state["m"], [0.05, -0.01])
    np.testing.assert_allclose(state["v"], [0.00025, 0.00001])
    state["m"][0] = 99.0                                     # a copy: the optimizer's own m is untouched
    assert opt.state()["m"][0] == pytest.approx(0.05)

    restored = mlp.Adam(lr=0.1)
    restored.load_state(opt.state(), net.params)
    twin = one_weight_net(*net.params)
    step_with(opt, net, [0.1, 0.3])                          # the hand-worked second step above
    step_with(restored, twin, [0.1, 0.3])
    np.testing.assert_allclose(twin.params, [0.9 - 0.0803041, -1.9 - 0.0494190], atol=1e-6)
    assert np.array_equal(twin.params, net.params) and restored.t == 2


def test_momentum_and_sgd_state():
    net, opt = one_weight_net(1.0, -2.0), mlp.Momentum(lr=0.1, beta=0.9)
    step_with(opt, net, [0.5, 0.1])
    np.testing.assert_allclose(opt.state()["velocity"], [0.5, 0.1])
    sgd = mlp.SGD(lr=0.1)
    step_with(sgd, net, [0.5, 0.1])
    assert sgd.state() == {}                                 # started, and nothing to carry


@pytest.mark.parametrize("state, message", [
    ({"m": np.zeros(2), "t": 1}, "state must be"),                             # v missing
    ({"m": np.zeros(3), "v": np.zeros(2), "t": 1}, r"state\['m'\] must be an array shaped like params"),
    ({"m": np.zeros(2), "v": np.zeros(2), "t": -1}, r"state\['t'\] must be a whole number"),
    ({"m": np.zeros(2), "v": np.zeros(2), "t": 1.5}, r"state\['t'\] must be a whole number"),
])
def test_load_state_refuses_what_does_not_fit(state, message):
    with pytest.raises(ValueError, match=message):
        mlp.Adam().load_state(state, np.zeros(2))


def test_optimizer_accepts_gradients_it_did_not_compute():
    net = mlp.MLP([2, 3, 2], seed=0, dtype="float64")
    before = net.params.copy()
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in zip(net.weights, net.biases)]
    mlp.SGD(lr=0.5).step(net, grads)
    np.testing.assert_allclose(net.params, before - 0.5)


def test_changing_lr_applies_to_the_next_step():
    net, opt = one_weight_net(0.0, 0.0), mlp.SGD(lr=0.1)
    step_with(opt, net, [1.0, 1.0])
    opt.lr = 1.0
    step_with(opt, net, [1.0, 1.0])
    np.testing.assert_allclose(net.params, [-1.1, -1.1])


@pytest.mark.parametrize("name, t, expected", [
    ("constant", 1234, 0.1),
    ("step", 0, 0.1), ("step", 99, 0.1), ("step", 100, 0.05), ("step", 250, 0.025),
    ("exponential", 50, 0.1 * 0.5 ** 0.5), ("exponential", 200, 0.025),
    ("cosine", 0, 0.1), ("cosine", 50, 0.05 + 0.025), ("cosine", 100, 0.1),
    ("cyclic", 0, 0.05), ("cyclic", 50, 0.1), ("cyclic", 25, 0.075), ("cyclic", 100, 0.05),
])
def test_schedules(name, t, expected):
    # base lr 0.1, period 100, factor 0.5
    assert SCHEDULES[name].rate(0.1, t, 100, 0.5) == pytest.approx(expected)
    assert math.isfinite(expected)
