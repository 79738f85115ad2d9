"""One training step: forward, loss, backward, regularisation, clipping, update.

This is the hot path of everything the playground animates, so it works on the net's own buffers and
allocates nothing; the caller turns NumPy's overflow warnings off once around a run of steps.
"""
from __future__ import annotations

import math

import numpy as np


def train_step(net, optimizer, X: np.ndarray, Y: np.ndarray, l1: float = 0.0, l2: float = 0.0,
               clip_norm: float = 0.0, last_good: np.ndarray | None = None) -> tuple[float, float]:
    """Update `net` once on the batch X (m, n0), Y (m, nL), both already in the net's dtype.

    The objective is mean loss + l2/2·ΣW² + l1·Σ|W| (weights only, not biases), so the gradient
    gains l2·W + l1·sign(W). With clip_norm > 0 the whole gradient is rescaled to at most that norm.
    Returns (data loss of the batch before the update, gradient norm before clipping); either is
    nan/inf when the net has diverged, and then the weights are left as they were.
    `last_good` (shaped like net.params) receives the weights this step proved finite, before updating.
    """
    net._forward(X, True)
    loss = net.loss(Y)
    net._backward(Y)
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
