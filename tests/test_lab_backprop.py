"""The Backprop page: its hand-made pass equals the engine's, its shapes are the real ones, its check catches a
wrong derivative; and the page itself loads, runs every preset and shows the check failing when broken."""
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import mlp
from mlp.lab import backprop
from mlp.engine.activations import ACTIVATIONS
from mlp.run.config import Config
from mlp.engine.outputs import OUTPUTS

ROOT = Path(__file__).resolve().parent.parent
PAGE = "pages/3_Backprop_step_by_step.py"
RNG = np.random.default_rng(7)
X4 = RNG.normal(size=(4, 2)) * 2
TARGETS = {"softmax": np.eye(3)[[0, 2, 1, 2]], "sigmoid": np.array([[0.0], [1.0], [1.0], [0.0]]),
           "linear": RNG.normal(size=(4, 2))}


def _net(sizes, activation, output, weights, biases):
    net = mlp.MLP(sizes, activation=activation, output=output, dtype="float64")
    for W, b, w_value, b_value in zip(net.weights, net.biases, weights, biases):
        W[...] = w_value
        b[...] = b_value
    return net


def test_a_pass_worked_out_by_hand():
    # 1-1-1 net, linear everywhere, W1 = 2, b1 = 1, W2 = 3, b2 = 0; two examples x = 1 (y = 0), x = -1 (y = 1).
    # x = 1:  z1 = 3, a1 = 3, z2 = a2 = 9, delta2 = 9, delta1 = 9 * 3 * 1 = 27
    # x = -1: z1 = -1, a1 = -1, z2 = a2 = -3, delta2 = -4, delta1 = -12
    net = _net([1, 1, 1], "linear", "linear", [2.0, 3.0], [1.0, 0.0])
    steps = backprop.forward_backward(net, [[1.0], [-1.0]], [[0.0], [1.0]])
    assert steps.Z[1].ravel().tolist() == [3.0, -1.0]
    assert steps.A[2].ravel().tolist() == [9.0, -3.0]
    assert steps.delta[2].ravel().tolist() == [9.0, -4.0]
    assert steps.delta[1].ravel().tolist() == [27.0, -12.0]
    assert steps.dW[2].item() == (3 * 9 + (-1) * (-4)) / 2 == 15.5
    assert steps.db[2].item() == (9 - 4) / 2
    assert steps.dW[1].item() == (1 * 27 + (-1) * (-12)) / 2
    assert steps.db[1].item() == (27 - 12) / 2
    assert steps.dW_term(1, 1).item() == 12.0       # example 2's share: x * delta1 = -1 * -12


def test_tanh_by_hand():
    # 1-1-1, tanh hidden, linear output, W1 = 0.5, W2 = 2, no biases, x = 1, y = 0
    net = _net([1, 1, 1], "tanh", "linear", [0.5, 2.0], [0.0, 0.0])
    steps = backprop.forward_backward(net, [[1.0]], [[0.0]])
    a1 = math.tanh(0.5)
    assert steps.A[1].item() == pytest.approx(a1, abs=1e-15)
    assert steps.delta[2].item() == pytest.approx(2 * a1, abs=1e-15)
    assert steps.delta[1].item() == pytest.approx(2 * a1 * 2 * (1 - a1 ** 2), abs=1e-15)
    assert steps.dW[1].item() == pytest.approx(4 * a1 * (1 - a1 ** 2), abs=1e-15)


@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_the_hand_pass_equals_forward_and_backward(activation, output):
    Y = TARGETS[output]
    net = mlp.MLP([2, 3, 4, Y.shape[1]], activation=activation, output=output, seed=5, dtype="float64",
                  init="he_normal", bias_init=0.1)
    steps = backprop.forward_backward(net, X4, Y)
    P = net.forward(X4)
    grads = [(dW.copy(), db.copy()) for dW, db in net.backward(Y)]
    ws = net.last_pass
    np.testing.assert_allclose(steps.A[-1], P, rtol=0, atol=1e-10)
    for l in range(1, net.n_layers + 1):
        np.testing.assert_allclose(steps.Z[l], ws.z[l - 1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(steps.A[l], ws.a[l - 1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(steps.delta[l], ws.delta[l - 1], rtol=0, atol=1e-10)
        np.testing.assert_allclose(steps.dW[l], grads[l - 1][0], rtol=0, atol=1e-10)
        np.testing.assert_allclose(steps.db[l], grads[l - 1][1], rtol=0, atol=1e-10)
    assert backprop.largest_difference(steps, backprop.engine_steps(net, X4, Y)) < 1e-10


def test_a_wrong_weight_shows_in_the_difference():
    net = mlp.MLP([2, 3, 2], dtype="float64", seed=1)
    steps = backprop.forward_backward(net, X4, TARGETS["softmax"][:, :2])
    net.weights[1][0, 0] += 0.1
    assert backprop.largest_difference(steps, backprop.engine_steps(net, X4, TARGETS["softmax"][:, :2])) > 1e-3


@pytest.mark.parametrize("activation", list(backprop.FORMULAS))
def test_the_page_formulas_agree_with_the_registry(activation):
    z = np.linspace(-3, 3, 61) + 0.01            # off the kink at 0
    act, f = ACTIVATIONS[activation], backprop.formula(activation)
    a = act.fn(z, np.empty_like(z))
    np.testing.assert_allclose(f.phi(z), a, atol=1e-12)
    np.testing.assert_allclose(f.dphi(z), act.derivative(z, a, np.empty_like(z)), atol=1e-12)
    wrong = f.wrong(z, a, np.empty_like(z))
    assert np.abs(wrong - f.dphi(z)).max() > 0.05, "the classic mistake must differ from phi'"


@pytest.mark.parametrize("name", list(backprop.PRESETS))
def test_shape_table_has_the_real_shapes(name):
    net, X, Y, _ = backprop.tiny_batch(backprop.preset_config(name))
    net.forward(X)
    grads = net.backward(Y)
    ws = net.last_pass
    rows = backprop.shape_table(net.sizes, len(X))
    assert len(rows) == net.n_layers + 1
    assert rows[0]["A"] == X.shape == (4, 2)
    for l in range(1, net.n_layers + 1):
        r = rows[l]
        assert r["W"] == net.weights[l - 1].shape and r["b"] == net.biases[l - 1].shape
        assert r["Z"] == ws.z[l - 1].shape and r["A"] == ws.a[l - 1].shape and r["delta"] == ws.delta[l - 1].shape
        assert r["dW"] == grads[l - 1][0].shape and r["db"] == grads[l - 1][1].shape


@pytest.mark.parametrize("name", list(backprop.PRESETS))
def test_presets_are_small_and_check_cleanly_unless_broken(name):
    config = backprop.preset_config(name)
    assert backprop.size_problems(config) == []
    net, X, Y, _ = backprop.tiny_batch(config)
    assert net.dtype == np.float64 and X.shape == (backprop.BATCH, 2)
    registry_derivative = ACTIVATIONS[config.activation].derivative
    good = backprop.gradient_check(net, X, Y)
    assert [c.layer for c in good] == list(range(1, net.n_layers + 1))
    assert all(c.error < 1e-6 and c.passed for c in good), [c.error for c in good]
    for c in good:
        np.testing.assert_allclose(c.analytic, c.numeric, rtol=1e-5, atol=1e-9)
    broken = backprop.gradient_check(net, X, Y, broken=True)
    assert all(c.error > 1e-2 and not c.passed for c in broken[:-1]), [c.error for c in broken]
    assert broken[-1].passed            # delta[L] = A[L] - Y uses no phi'
    # nothing was mutated: the registry, the net's activation, its weights
    assert ACTIVATIONS[config.activation].derivative is registry_derivative
    assert net.activation is ACTIVATIONS[config.activation]
    assert backprop.gradient_check(net, X, Y)[0].error == good[0].error


def test_size_limits_and_outputs_pick_a_fitting_data_set():
    assert backprop.size_problems(Config(hidden=(4, 4, 4, 4)))
    assert backprop.size_problems(Config(hidden=(backprop.MAX_WIDTH + 1,)))
    assert backprop.size_problems(Config(hidden=()))
    assert backprop.dataset_for_output("circle", "linear") == "plane"
    assert backprop.dataset_for_output("plane", "sigmoid") == "circle"
    assert backprop.dataset_for_output("blobs", "sigmoid") != "blobs"
    assert backprop.dataset_for_output("blobs", "softmax") == "blobs"


def test_numbers_in_latex():
    from mlp.ui.controls import parse_widths
    from mlp.ui.backprop_page import tex_matrix
    assert tex_matrix([1, -0.0001, -2.5]) == r"\begin{bmatrix}1.000 & 0.000 & -2.500\end{bmatrix}"
    assert tex_matrix([[1, 2], [3, 4]], digits=1, highlight_row=1) == (
        r"\begin{bmatrix}1.0 & 2.0 \\ \textcolor{#d62728}{3.0} & \textcolor{#d62728}{4.0}\end{bmatrix}")
    assert parse_widths("4, 4") == (4, 4)
    with pytest.raises(ValueError, match="whole numbers"):
        parse_widths("4, x")


# -- the page -------------------------------------------------------------------------------------------
def start() -> AppTest:
    # the pages' navigation links to app.py, so the page runs as Streamlit runs it: app.py is the entrypoint
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(PAGE)
    return at.run()


def test_page_loads_and_every_preset_runs():
    at = start()
    assert not at.exception
    assert at.title[0].value == "Backprop, step by step"
    assert len(at.latex) > 10
    assert at.success and not at.error
    for name in backprop.PRESETS:
        at.button(key=f"bp_preset_{name}").click().run()
        assert not at.exception, name
        state = at.session_state["lab_backprop"]
        assert state.config == backprop.preset_config(name)
        assert all(c.error < 1e-6 for c in state.checks), (name, [c.error for c in state.checks])
        at.radio(key="bp_example").set_value(3).run()
        assert not at.exception, name


def test_breaking_the_derivative_fails_the_check_on_the_page():
    at = start()
    state = at.session_state["lab_backprop"]
    assert all(c.error < 1e-6 for c in state.checks)
    assert any("passes" in s.value for s in at.success)
    at.toggle(key="bp_broken").set_value(True).run()
    assert not at.exception
    assert any("fails in layer 1" in e.value for e in at.error)
    assert not at.success
    assert state.checks[0].error > 1e-2 and state.checks[-1].error < 1e-6
    table = at.dataframe[-1].value
    assert list(table["check"]) == ["FAILS", "passes"]
    assert ACTIVATIONS["tanh"].derivative is mlp.engine.activations._tanh_derivative
    at.toggle(key="bp_broken").set_value(False).run()
    assert not at.error and all(c.error < 1e-6 for c in state.checks)


def test_settings_change_the_net_and_too_big_a_net_is_refused():
    at = start()
    at.selectbox(key="bp_activation").set_value("sigmoid").run()
    at.selectbox(key="bp_output").set_value("linear").run()
    state = at.session_state["lab_backprop"]
    assert not at.exception
    assert state.config.activation == "sigmoid" and state.config.output == "linear"
    assert state.config.problem == "regression"          # the data set followed the output
    at.text_input(key="bp_hidden").set_value("2, 3").run()
    assert state.config.hidden == (2, 3) and not at.exception
    at.text_input(key="bp_hidden").set_value("9, 9, 9, 9").run()
    assert not at.exception
    assert state.config.hidden == (2, 3)
    assert any("at most" in w.value for w in at.warning)
