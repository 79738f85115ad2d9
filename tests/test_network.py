"""The engine's math, checked against finite differences, closed forms and scikit-learn."""
import warnings

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

import mlp
from mlp.engine.activations import ACTIVATIONS
from mlp.engine.initializers import INITIALIZERS
from mlp.engine.outputs import OUTPUTS

RNG = np.random.default_rng(1234)
X_SMALL = RNG.normal(size=(7, 3))
LABELS = RNG.integers(0, 3, 7)
TARGETS = {"softmax": (3, np.eye(3)[LABELS]),
           "sigmoid": (1, (LABELS[:, None] % 2).astype(float)),
           "linear": (2, RNG.normal(size=(7, 2)))}


@pytest.mark.parametrize("init", list(INITIALIZERS))
@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_backprop_matches_finite_differences(activation, output, init):
    n_out, Y = TARGETS[output]
    # ReLU's family gets positive biases (as the seed gives ReLU) so that with tiny weights not every
    # z sits on the kink at 0, where a derivative does not exist to be checked
    bias = 0.0 if ACTIVATIONS[activation].smooth else 0.1
    net = mlp.MLP([3, 5, 4, n_out], activation=activation, output=output, init=init, seed=3,
                  dtype="float64", bias_init=bias)
    errors = mlp.gradcheck(net, X_SMALL, Y)
    assert len(errors) == 3
    assert max(errors) < 1e-6, errors


def test_gradcheck_catches_a_wrong_derivative(monkeypatch):
    net = mlp.MLP([3, 5, 4, 3], activation="tanh", init="xavier_normal", seed=3, dtype="float64")
    wrong = mlp.engine.activations.Activation("tanh", "Tanh", np.tanh, lambda z, a, out: np.subtract(1.0, a, out=out),
                                       1.0, (-1.0, 1.0), True, "1 - a instead of 1 - a²")
    monkeypatch.setattr(net, "activation", wrong)
    errors = mlp.gradcheck(net, X_SMALL, TARGETS["softmax"][1])
    assert errors[-1] < 1e-6          # the output layer does not use phi'
    assert errors[0] > 1e-2 and errors[1] > 1e-2


# independent closed forms of each derivative, written from the definitions
CLOSED_FORM_DERIVATIVES = {
    "sigmoid": lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,
    "tanh": lambda z: 1 / np.cosh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
    "elu": lambda z: np.where(z > 0, 1.0, np.exp(z)),
    "linear": lambda z: np.ones_like(z),
}
CLOSED_FORM_FUNCTIONS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "linear": lambda z: z,
}


def test_every_activation_has_closed_forms_here():
    assert set(CLOSED_FORM_DERIVATIVES) == set(ACTIVATIONS) == set(CLOSED_FORM_FUNCTIONS)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_and_derivative_match_closed_form(name):
    act = ACTIVATIONS[name]
    z = np.linspace(-6, 6, 1201)
    z = z[np.abs(z) > 1e-9]                      # the kink itself has no derivative
    a = act.fn(z, np.empty_like(z))
    np.testing.assert_allclose(a, CLOSED_FORM_FUNCTIONS[name](z), rtol=1e-12, atol=1e-15)
    d = act.derivative(z, a, np.empty_like(z))
    np.testing.assert_allclose(d, CLOSED_FORM_DERIVATIVES[name](z), rtol=1e-10, atol=1e-15)
    assert d.max() <= act.peak_derivative + 1e-12


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activations_are_quiet_and_finite_for_huge_inputs(name):
    act = ACTIVATIONS[name]
    z = np.array([-1e4, -800.0, 800.0, 1e4], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="ignore"):   # e^800 overflowing to inf is expected inside sigmoid
            a = act.fn(z, np.empty_like(z))
    assert not np.isnan(a).any()


def test_softmax_of_huge_logits_is_finite_and_exact():
    z = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-5.0, 2.0, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = OUTPUTS["softmax"].fn(z, np.empty_like(z))
    assert np.isfinite(p).all()
    np.testing.assert_allclose(p[0], [1, 0, 0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    e = np.exp([-5.0, 2.0, 1.0])
    np.testing.assert_allclose(p[2], e / e.sum())
    # a certain wrong answer: the clipped log keeps the loss finite
    y = np.array([[0.0, 0.0, 1.0]])
    loss = OUTPUTS["softmax"].loss(p[:1], y, np.empty_like(p[:1]))
    assert np.isfinite(loss) and loss > 100


def test_losses_match_their_definitions():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    y = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    assert OUTPUTS["softmax"].loss(p, y, np.empty_like(p)) == pytest.approx(-(np.log(0.7) + np.log(0.1)) / 2)
    q, t = np.array([[0.9], [0.3]]), np.array([[1.0], [0.0]])
    assert OUTPUTS["sigmoid"].loss(q, t, np.empty_like(q)) == pytest.approx(-(np.log(0.9) + np.log(0.7)) / 2)
    r, s = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    assert OUTPUTS["linear"].loss(r, s, np.empty_like(r)) == pytest.approx((1 + 4) / 4)


def test_forward_matches_scikit_learn():
    """sklearn's MLPClassifier, given our weights, must predict the same probabilities."""
    X = RNG.normal(size=(50, 2))
    y = RNG.integers(0, 3, 50)
    net = mlp.MLP([2, 6, 5, 3], activation="tanh", init="he_uniform", seed=5, dtype="float64", bias_init=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # one iteration does not converge; only the shapes matter
        clf = MLPClassifier(hidden_layer_sizes=(6, 5), activation="tanh", max_iter=1).fit(X, y)
    clf.coefs_ = [W.copy() for W in net.weights]
    clf.intercepts_ = [b[0].copy() for b in net.biases]
    np.testing.assert_allclose(net.forward(X), clf.predict_proba(X), rtol=1e-12)


def test_layer_outputs_follow_the_forward_equations():
    X = RNG.normal(size=(9, 2))
    net = mlp.MLP([2, 4, 3, 2], activation="sigmoid", seed=2, dtype="float64")
    A1 = 1 / (1 + np.exp(-(X @ net.weights[0] + net.biases[0])))
    A2 = 1 / (1 + np.exp(-(A1 @ net.weights[1] + net.biases[1])))
    Z3 = A2 @ net.weights[2] + net.biases[2]
    P = np.exp(Z3) / np.exp(Z3).sum(1, keepdims=True)
    outs = net.layer_outputs(X)
    np.testing.assert_allclose(outs[0], A1)
    np.testing.assert_allclose(outs[1], A2)
    np.testing.assert_allclose(outs[2], P)
    np.testing.assert_allclose(net.predict(X), P)


def test_shapes_follow_the_row_as_example_convention():
    net = mlp.MLP([2, 8, 8, 2], seed=0)
    assert [W.shape for W in net.weights] == [(2, 8), (8, 8), (8, 2)]
    assert [b.shape for b in net.biases] == [(1, 8), (1, 8), (1, 2)]
    assert net.dtype == np.float32
    P = net.forward(np.zeros((5, 2)))
    assert P.shape == (5, 2)
    grads = net.backward(np.eye(2)[[0, 1, 0, 1, 0]])
    assert [(dW.shape, db.shape) for dW, db in grads] == [((2, 8), (1, 8)), ((8, 8), (1, 8)), ((8, 2), (1, 2))]


def test_float32_gradients_agree_with_float64():
    X = RNG.normal(size=(20, 2))
    Y = np.eye(2)[RNG.integers(0, 2, 20)]
    exact = mlp.MLP([2, 8, 8, 2], seed=4, dtype="float64")
    fast = mlp.MLP([2, 8, 8, 2], seed=4)
    exact.forward(X), fast.forward(X)
    for (dW64, db64), (dW32, db32) in zip(exact.backward(Y), fast.backward(Y)):
        np.testing.assert_allclose(dW32, dW64, rtol=1e-3, atol=1e-6)
        np.testing.assert_allclose(db32, db64, rtol=1e-3, atol=1e-6)


WIDE = 1000


@pytest.mark.parametrize("name, n_in, n_out, expected_var", [
    ("xavier_normal", WIDE, 500, 2 / (WIDE + 500)),
    ("xavier_uniform", WIDE, 500, (np.sqrt(6 / (WIDE + 500))) ** 2 / 3),
    ("he_normal", WIDE, 500, 2 / WIDE),
    ("he_uniform", WIDE, 500, (np.sqrt(6 / WIDE)) ** 2 / 3),
    ("small", WIDE, 500, 0.01 ** 2),
    ("normal", WIDE, 500, 1.0),
    ("uniform", WIDE, 500, 1 / 3),
    ("zeros", WIDE, 500, 0.0),
])
def test_init_variance_matches_the_seed_formula(name, n_in, n_out, expected_var):
    W = INITIALIZERS[name](n_in, n_out, np.random.default_rng(0))
    assert W.shape == (n_in, n_out)
    assert abs(W.mean()) < 0.01 * max(np.sqrt(expected_var), 1e-12) * 10 + 1e-12
    # 500k samples: the sample variance is within ~0.5% of the truth
    assert W.var() == pytest.approx(expected_var, rel=0.01, abs=1e-15)
    if "uniform" in name:
        limit = np.sqrt(3 * expected_var)
        assert np.abs(W).max() <= limit and np.abs(W).max() > 0.99 * limit


def test_init_gain_scales_every_weight():
    a = INITIALIZERS["he_normal"](30, 20, np.random.default_rng(7))
    b = INITIALIZERS["he_normal"](30, 20, np.random.default_rng(7), gain=2.5)
    np.testing.assert_allclose(b, 2.5 * a)


def test_bias_init_and_seed_determinism():
    a = mlp.MLP([2, 16, 16, 2], init="he_normal", seed=11, bias_init=0.01)
    b = mlp.MLP([2, 16, 16, 2], init="he_normal", seed=11, bias_init=0.01)
    c = mlp.MLP([2, 16, 16, 2], init="he_normal", seed=12, bias_init=0.01)
    assert np.array_equal(a.params, b.params)
    assert not np.array_equal(a.params, c.params)
    assert all(np.all(bias == np.float32(0.01)) for bias in a.biases)


def test_weights_are_views_of_one_parameter_vector():
    net = mlp.MLP([3, 4, 2], seed=0)
    net.weights[1][...] = 7.0
    assert np.count_nonzero(net.params == 7.0) == 8
    net.set_params(np.zeros_like(net.params))
    assert not net.weights[0].any() and not net.biases[1].any()


def test_dropout_is_inverted_and_training_only():
    net = mlp.MLP([2, 400, 1], activation="linear", output="linear", seed=0, dtype="float64", dropout=0.5)
    X = np.ones((200, 2))
    assert np.array_equal(net.forward(X), net.forward(X))          # evaluation: no dropout
    net.forward(X, train=True)
    mask = net.last_pass.mask[0]
    assert set(np.unique(mask)) == {0.0, 2.0}                       # kept units scaled by 1/(1-p)
    assert 0.45 < np.mean(mask == 0) < 0.55
    # the expectation of the hidden layer is unchanged
    dropped = np.mean([net.forward(X, train=True) for _ in range(200)], axis=0)
    np.testing.assert_allclose(dropped.mean(), net.forward(X).mean(), rtol=0.05)


def test_dropout_gradients_match_finite_differences_for_a_fixed_mask():
    """With the mask held fixed, dropout is a fixed linear map: backprop must differentiate it."""
    X = RNG.normal(size=(6, 3))
    Y = np.eye(3)[RNG.integers(0, 3, 6)]
    net = mlp.MLP([3, 5, 3], activation="tanh", seed=1, dtype="float64", dropout=0.4)
    net.forward(X, train=True)
    mask = net.last_pass.mask[0].copy()
    analytic = net.backward(Y)[0][0].copy()

    def loss_at(W0):
        A1 = np.tanh(X @ W0 + net.biases[0]) * mask
        Z = A1 @ net.weights[1] + net.biases[1]
        P = np.exp(Z - Z.max(1, keepdims=True))
        P /= P.sum(1, keepdims=True)
        return -np.sum(Y * np.log(P)) / len(X)

    numeric = np.zeros_like(analytic)
    for idx in np.ndindex(analytic.shape):
        W = net.weights[0].copy()
        W[idx] += 1e-6
        up = loss_at(W)
        W[idx] -= 2e-6
        numeric[idx] = (up - loss_at(W)) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-9)


def test_predict_on_many_points_through_a_wide_net_goes_in_chunks_with_the_same_result():
    """A 100 x 100 grid through 3 layers of 256: bounded buffers, and exactly the forward pass's numbers."""
    net = mlp.MLP([2, 256, 256, 256, 3], activation="tanh", output="softmax", init="xavier_normal", seed=3,
                  dtype="float64")
    X = np.random.default_rng(0).uniform(-6, 6, (10_001, 2))          # a ragged last chunk too
    P = net.predict(X)
    rows = [ws.a_block.shape[0] for ws in net._eval_workspaces.values()]
    assert max(rows) < len(X)                                          # it did go in chunks
    expected = net.forward(X)                                          # one pass over all rows at once
    np.testing.assert_allclose(P, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-12)
