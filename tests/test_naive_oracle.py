"""The engine against mlp/harness/naive.py, the short loop a reader can check line by line against the math.

network.py and optimizers.py compute a pass with flat parameter vectors, column-major workspaces and
fused in-place updates; whatever those tricks, in float64 they must give what the naive loop gives:
the same A[L], the same loss, the same dW and db per layer, the same weights after SGD, momentum and
Adam steps. Expected values are the naive loop's, which shares no code with mlp/.
"""
import numpy as np
import pytest

import mlp
from mlp.harness.naive import PHI, NaiveAdam, NaiveMLP, NaiveMomentum
from mlp.engine.step import train_step

SIZES = {"softmax": [3, 5, 4, 3], "sigmoid": [3, 5, 4, 1], "linear": [3, 5, 4, 2]}
RNG = np.random.default_rng(13)
X = RNG.normal(size=(9, 3))


def targets(output, m=9):
    rng = np.random.default_rng(m)
    if output == "softmax":
        return np.eye(3)[rng.integers(0, 3, m)]
    if output == "sigmoid":
        return rng.integers(0, 2, (m, 1)).astype(float)
    return rng.normal(size=(m, 2))


def pair(activation, output, seed=4):
    """An engine net and a naive one with the same starting weights (drawn independently by each)."""
    sizes = SIZES[output]
    net = mlp.MLP(sizes, activation=activation, output=output, init="xavier_normal", seed=seed, dtype="float64")
    naive = NaiveMLP(sizes, seed=seed, activation=activation, output=output)
    for l in range(net.n_layers):         # non-zero biases, so a lost bias shows
        net.biases[l][...] = naive.b[l][...] = np.linspace(-0.3, 0.2, sizes[l + 1])
    return net, naive


def test_both_draw_the_same_xavier_weights():
    net, naive = pair("tanh", "softmax")
    for W, W_naive in zip(net.weights, naive.W):
        np.testing.assert_allclose(W, W_naive, rtol=1e-15, atol=0)


@pytest.mark.parametrize("output", list(SIZES))
@pytest.mark.parametrize("activation", list(PHI))
def test_forward_loss_and_gradients_match_the_naive_loop(activation, output):
    net, naive = pair(activation, output)
    Y = targets(output)
    loss, grads = naive.gradients(X, Y)
    np.testing.assert_allclose(net.forward(X), naive.predict(X), rtol=1e-12, atol=1e-14)
    assert net.loss(Y) == pytest.approx(loss, rel=1e-12)
    for l, ((dW, db), (dW_naive, db_naive)) in enumerate(zip(net.backward(Y), grads)):
        np.testing.assert_allclose(dW, dW_naive, rtol=1e-10, atol=1e-14, err_msg=f"dW of layer {l}")
        np.testing.assert_allclose(db, db_naive, rtol=1e-10, atol=1e-14, err_msg=f"db of layer {l}")


def test_the_unchecked_training_pass_is_the_checked_one():
    net, naive = pair("relu", "softmax")
    Y = targets("softmax")
    A = net.forward_unchecked(X, train=False)
    np.testing.assert_allclose(A, naive.predict(X), rtol=1e-12, atol=1e-14)
    assert net.loss_unchecked(Y) == pytest.approx(naive.gradients(X, Y)[0], rel=1e-12)
    net.backward_unchecked(Y)
    for l, (dW_naive, _) in enumerate(naive.gradients(X, Y)[1]):
        np.testing.assert_allclose(net.grads[l][0], dW_naive, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(net.last_pass.a[-1], A)          # the pass's arrays, readable


OPTIMIZERS = {
    "sgd": (lambda: mlp.SGD(0.1), lambda: None),
    "momentum": (lambda: mlp.Momentum(0.1, beta=0.8), lambda: NaiveMomentum(0.1, beta=0.8)),
    "adam": (lambda: mlp.Adam(0.01, beta1=0.85, beta2=0.99, eps=1e-7),
             lambda: NaiveAdam(0.01, beta1=0.85, beta2=0.99, eps=1e-7)),
}


@pytest.mark.parametrize("activation, output", [("tanh", "softmax"), ("sigmoid", "sigmoid"), ("elu", "linear"),
                                                ("leaky_relu", "softmax")])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_training_steps_match_the_naive_loop(optimizer, activation, output):
    net, naive = pair(activation, output, seed=8)
    make, make_naive = OPTIMIZERS[optimizer]
    opt, opt_naive = make(), make_naive()
    Y = targets(output)
    for step in range(6):
        batch = slice(3 * (step % 3), 3 * (step % 3) + 3)            # minibatches of 3, cycling
        loss, _ = train_step(net, opt, X[batch], Y[batch])
        loss_naive = naive.step(X[batch], Y[batch], lr=0.1, optimizer=opt_naive)
        assert loss == pytest.approx(loss_naive, rel=1e-11), f"loss at step {step}"
    for l in range(net.n_layers):
        np.testing.assert_allclose(net.weights[l], naive.W[l], rtol=1e-10, atol=1e-13, err_msg=f"W of layer {l}")
        np.testing.assert_allclose(net.biases[l], naive.b[l], rtol=1e-10, atol=1e-13, err_msg=f"b of layer {l}")
    assert not np.allclose(net.weights[0], pair(activation, output, seed=8)[0].weights[0])   # it did move


def test_the_unchecked_predict_and_layer_outputs_are_the_checked_ones():
    """The frame and the trainer's evaluation take the unchecked paths with arrays they built: the same
    numbers as the public, checked ones."""
    rng = np.random.default_rng(3)
    net = mlp.MLP([2, 7, 5, 3], activation="relu", seed=4)
    X = rng.normal(size=(300, 2)).astype(net.dtype)
    np.testing.assert_array_equal(net.predict_unchecked(X), net.predict(X))
    for a, b in zip(net.layer_outputs_unchecked(X), net.layer_outputs(X)):
        np.testing.assert_array_equal(a, b)
