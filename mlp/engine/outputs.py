"""Output layers, each paired with the loss that makes the output error simply delta[L] = A[L] - Y.

softmax + cross-entropy, sigmoid + binary cross-entropy and linear + squared error all share that
simplification (the loss's derivative cancels the output function's), which is why the engine never
multiplies by an output derivative.

Logs are clipped at the dtype's smallest normal number (1e-38 in float32, 1e-308 in float64): a
probability that underflowed to 0 costs a large but finite loss (87 or 708), never inf. A larger floor
such as 1e-7 would flatten the loss exactly where A - Y still pulls, and gradient checks would fail.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlp.engine.activations import ACTIVATIONS
from mlp.engine.checks import Registry

Array = np.ndarray


@dataclass(frozen=True)
class Output:
    name: str
    label: str
    problem: str                                   # "classification" or "regression"
    fn: Callable[[Array, Array], Array]            # (z (m, K), out) -> out = A[L]
    loss: Callable[[Array, Array, Array], float]   # (A[L], Y, scratch) -> mean loss over the m rows
    help: str


def _sum_of_products(a, b) -> float:
    """sum(a * b) of two same-shaped arrays by np.vdot, which would copy column-major ones: the
    transposes of those are row-major, so vdot reads them in place (the sum is the same)."""
    if a.flags.f_contiguous and b.flags.f_contiguous:
        a, b = a.T, b.T
    return float(np.vdot(a, b))


def _softmax(z, out):
    # subtracting the row max leaves softmax unchanged and keeps exp() <= 1: logits of 1e4 stay finite.
    # (The engine's arrays are column-major, where these row reductions run down whole columns.)
    np.subtract(z, np.maximum.reduce(z, axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= np.add.reduce(out, axis=1, keepdims=True)
    return out


def _cross_entropy(p, y, scratch):
    """-(1/m) sum_i sum_k Y_ik log p_ik, Y one-hot (m, K)."""
    np.maximum(p, np.finfo(p.dtype).tiny, out=scratch)
    np.log(scratch, out=scratch)
    return -_sum_of_products(y, scratch) / len(p)


def _binary_cross_entropy(p, y, scratch):
    """-(1/m) sum [y log p + (1 - y) log(1 - p)], y in {0, 1} of shape (m, 1)."""
    tiny = np.finfo(p.dtype).tiny
    total = np.vdot(y, np.log(np.maximum(p, tiny, out=scratch), out=scratch))
    np.subtract(1.0, p, out=scratch)
    total += np.vdot(1.0 - y, np.log(np.maximum(scratch, tiny, out=scratch), out=scratch))
    return -float(total) / len(p)


def _identity(z, out):
    np.copyto(out, z)
    return out


def _half_squared_error(p, y, scratch):
    """(1/m) sum 1/2 (p - y)²: the 1/2 makes its gradient exactly p - y."""
    np.subtract(p, y, out=scratch)
    return 0.5 * _sum_of_products(scratch, scratch) / len(p)


OUTPUTS: dict[str, Output] = Registry("output", [
    Output("softmax", "Softmax + cross-entropy", "classification", _softmax, _cross_entropy,
           "One probability per class, summing to 1; trained with cross-entropy."),
    # the hidden-layer sigmoid itself (activations.py): one formula for phi and for the output
    Output("sigmoid", "Sigmoid + binary cross-entropy", "classification", ACTIVATIONS["sigmoid"].fn,
           _binary_cross_entropy,
           "One probability for class 1 (two classes only); trained with binary cross-entropy."),
    Output("linear", "Linear + squared error", "regression", _identity, _half_squared_error,
           "The raw number, for regression; trained with (half) the squared error."),
])
