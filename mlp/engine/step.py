"""One training step: forward, loss, backward, regularisation, clipping, update.

This is the hot path of everything the playground animates, so it works on the net's own buffers and
allocates nothing; the caller turns NumPy's overflow warnings off once around a run of steps.
`train_step` checks its arguments first (mlp/engine/checks.py); the trainer, whose arrays are its own,
calls `train_step_unchecked`, which checks nothing (MLP.forward_unchecked and its kin, network.py).
"""
from __future__ import annotations

import math

import numpy as np

from mlp.engine import checks
from mlp.engine.network import MLP


def train_step(net, optimizer, X, Y, l1: float = 0.0, l2: float = 0.0, clip_norm: float = 0.0,
               last_good: np.ndarray | None = None) -> tuple[float, float]:
    """Update `net` once on the batch X (m, n0), Y (m, nL), after checking every argument.

    X and Y are taken in the net's dtype (a copy if they are not); a 1-D X is one example and a 1-D
    Y its target row, as in MLP.forward. l1, l2 and clip_norm are finite numbers >= 0. Everything
    else as `train_step_unchecked`.
    """
    checks.instance(net, MLP, "net")
    if not callable(getattr(optimizer, "step", None)):
        raise checks.refuse("optimizer", "an optimizer such as mlp.SGD(0.1): anything with step(net, grads)",
                            checks.shown(optimizer), TypeError)
    X = checks.rows(X, net.sizes[0], net.dtype)
    Y = checks.targets(Y, len(X), net.sizes[-1], net.dtype)
    l1, l2 = checks.real(l1, "l1", 0.0), checks.real(l2, "l2", 0.0)
    clip_norm = checks.real(clip_norm, "clip_norm", 0.0)
    if last_good is not None and not (isinstance(last_good, np.ndarray) and last_good.shape == net.params.shape
                                      and last_good.dtype == net.dtype and last_good.flags.writeable):
        raise checks.refuse("last_good", f"None or a writable {net.dtype} array of shape {net.params.shape}, "
                                         "like net.params", checks.shown(last_good))
    return train_step_unchecked(net, optimizer, X, Y, l1, l2, clip_norm, last_good)


def train_step_unchecked(net, optimizer, X: np.ndarray, Y: np.ndarray, l1: float = 0.0, l2: float = 0.0,
                clip_norm: float = 0.0, last_good: np.ndarray | None = None) -> tuple[float, float]:
    """Update `net` once on the batch X (m, n0), Y (m, nL), both already checked and in the net's dtype.

    The objective is mean loss + l2/2·ΣW² + l1·Σ|W| (weights only, not biases), so the gradient
    gains l2·W + l1·sign(W). With clip_norm > 0 the whole gradient is rescaled to at most that norm.
    Returns (data loss of the batch before the update, gradient norm before clipping); either is
    nan/inf when the net has diverged, and then the weights are left as they were.
    `last_good` (shaped like net.params) receives the weights this step proved finite, before updating.
    """
    net.forward_unchecked(X, True)
    loss = net.loss_unchecked(Y)
    net.backward_unchecked(Y)
    g, w = net.grad, net.params
    if l2 or l1:
        gw, ww = g[:net.n_weights], w[:net.n_weights]
        if l2:
            gw += l2 * ww
        if l1:
            gw += l1 * np.sign(ww)
    grad_norm = math.sqrt(float(np.vdot(g, g)))
    if not (math.isfinite(loss) and math.isfinite(grad_norm)):
        return loss, grad_norm
    if last_good is not None:
        np.copyto(last_good, w)
    if 0.0 < clip_norm < grad_norm:
        g *= clip_norm / grad_norm
    optimizer.step(net, net.grads)
    return loss, grad_norm
