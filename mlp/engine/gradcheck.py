"""Numerical gradient checking: backprop's answer against finite differences of the loss itself.

For every parameter entry theta: n = (L(theta + h) - L(theta - h)) / 2h (central differences, the
entry restored afterwards), compared with backprop's a by the relative error
|a - n| / max(|a| + |n|, floor) (CS231n's form; the floor keeps two exact zeros from dividing by 0).
The differences use the fourth-order central formula
    n = (-L(theta + 2h) + 8 L(theta + h) - 8 L(theta - h) + L(theta - 2h)) / 12h
whose error shrinks as h⁴: with h = 1e-3 it is good to ~1e-12 even for gradients of 1e-5, where the
two-point (L(theta + h) - L(theta - h)) / 2h loses half its digits to rounding.
In float64 a correct backward gives errors of 1e-7 or below; a wrong derivative gives ~1.
The public functions check X, Y and h once (mlp/engine/checks.py), then run every pass on the net's
unchecked path (MLP.forward_unchecked, loss_unchecked, backward_unchecked).
"""
from __future__ import annotations

import numpy as np

from mlp.engine import checks
from mlp.engine.network import MLP

FLOOR = 1e-12


def numerical_gradient(net, X, Y, param: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference estimate of d(mean loss)/d(param) for one of net's arrays, same shape.

    `param` is one of net.weights or net.biases (a view into net.params, written and restored).
    """
    X, Y = _checked(net, X, Y)
    if not (isinstance(param, np.ndarray) and np.may_share_memory(param, net.params)):
        raise checks.refuse("param", "one of net.weights or net.biases (a view into net.params)",
                            checks.shown(param))
    return _numerical_gradient(net, X, Y, param, checks.real(h, "h", 0.0, above=True))


def _checked(net, X, Y) -> tuple[np.ndarray, np.ndarray]:
    checks.instance(net, MLP, "net")
    X = checks.rows(X, net.sizes[0], net.dtype)
    return X, checks.targets(Y, len(X), net.sizes[-1], net.dtype)


def _numerical_gradient(net, X: np.ndarray, Y: np.ndarray, param: np.ndarray, h: float) -> np.ndarray:
    def loss_at(flat, i, value):
        flat[i] = value
        net.forward_unchecked(X, False)
        return net.loss_unchecked(Y)

    grad = np.zeros(param.shape)
    flat = param.reshape(-1)         # a view: writing an entry writes the net's parameter
    for i in range(flat.size):
        saved = flat[i]
        f = [loss_at(flat, i, saved + k * h) for k in (2, 1, -1, -2)]
        flat[i] = saved
        # differences first: where theta has no effect at all, every f is equal and n is exactly 0
        grad.reshape(-1)[i] = (8 * (f[1] - f[2]) - (f[0] - f[3])) / (12 * h)
    return grad


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float) -> np.ndarray:
    """Entry-wise |a - n| / max(|a| + |n|, floor)."""
    return np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)


def gradcheck(net, X, Y, h: float | None = None) -> list[float]:
    """The worst relative error of backprop's dW and db, per layer (a list of L floats).

    Dropout is off throughout (it would make the loss random). Use a float64 net: in float32 the
    differences drown in rounding error. `h` defaults to 1e-3, or less where a kink is near (see
    `safe_steps`). X (m, n0) and Y (m, nL) as for MLP.forward and MLP.backward.
    """
    X, Y = _checked(net, X, Y)
    steps = [checks.real(h, "h", 0.0, above=True)] * net.n_layers if h is not None else safe_steps(net, X)
    net.forward_unchecked(X, False)
    net.backward_unchecked(Y)
    analytic = [(dW.copy(), db.copy()) for dW, db in net.grads]
    numeric = [(_numerical_gradient(net, X, Y, W, h_l), _numerical_gradient(net, X, Y, b, h_l))
               for W, b, h_l in zip(net.weights, net.biases, steps)]
    # An entry whose true gradient is 0 (zero init, a dead unit) gets pure rounding noise from the
    # differences; measuring it against 1e-5 of the net's largest gradient keeps that noise
    # from reading as a 100% error while a real mistake still shows.
    floor = max(FLOOR, 1e-5 * max(np.abs(g).max() for pair in analytic for g in pair))
    return [float(max(relative_error(dW, nW, floor).max(), relative_error(db, nb, floor).max()))
            for (dW, db), (nW, nb) in zip(analytic, numeric)]


def safe_steps(net, X) -> list[float]:
    """The step h for each layer's parameters: 1e-3, shrunk for activations with a kink at 0.

    A difference taken across the kink measures neither side's slope. A layer-l parameter moves the
    z of layer l and every layer after it, so h_l keeps all of those z at least 20 steps from 0.
    """
    checks.instance(net, MLP, "net")
    X = checks.rows(X, net.sizes[0], net.dtype)
    if net.activation.smooth:
        return [1e-3] * net.n_layers
    nearest = [float(np.abs(z).min()) for z in net.hidden_preactivations(X)] + [np.inf]
    after = np.minimum.accumulate(nearest[::-1])[::-1]      # min |z| over this layer and later ones
    return [float(np.clip(d / 20, 1e-5, 1e-3)) for d in after]
