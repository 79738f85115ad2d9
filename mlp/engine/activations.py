"""Hidden-layer activations: each one is a function phi and its derivative phi', side by side.

Both write into a caller-supplied buffer (`out`) so the training loop allocates nothing per step.
`derivative` receives the pre-activation `z` and the activation `a = phi(z)`; each picks whichever
gives the cheapest exact formula (tanh' = 1 - a², sigmoid' = a(1 - a), relu' = [z > 0]).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlp.engine.checks import Registry

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str                                  # the key the config, URL and UI use
    label: str                                 # what the UI shows
    fn: Callable[[Array, Array], Array]        # (z, out) -> out = phi(z)
    derivative: Callable[[Array, Array, Array], Array]  # (z, a, out) -> out = phi'(z)
    peak_derivative: float                     # max of phi'; "stuck" units are measured against it
    value_range: tuple[float, float]           # where activations usually live: the histogram's bins
    smooth: bool                               # False for a kink at 0 (ReLU's family)
    help: str


def _sigmoid(z, out):
    # 1 / (1 + e^-z), for hidden units and for the sigmoid output layer alike (outputs.py). For very negative z, e^-z overflows to inf and the result is exactly 0;
    # the errstate keeps that quiet wherever this is called from (clamping z would cost a pass more).
    np.negative(z, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _sigmoid_derivative(z, a, out):
    np.subtract(1.0, a, out=out)
    return np.multiply(out, a, out=out)


# Arrays at least this big take tanh's exp form in float32 (see _tanh); smaller ones np.tanh, where
# the form's five numpy calls cost more than its cheaper arithmetic saves.
TANH_EXP_MIN_SIZE = 10_000


def _tanh(z, out):
    if out.dtype != np.float32 or z.size < TANH_EXP_MIN_SIZE:
        return np.tanh(z, out=out)
    # float32, large: tanh(z) = 2 / (1 + e^(-2z)) - 1 is one exp and three cheap passes, 1.3-1.5x
    # faster than np.tanh, within 2e-7 of the exact value (np.tanh: 6e-8), far below what training
    # or a plot notices, and always in [-1, 1]. For z < -44, e^(-2z) overflows to inf and the
    # result is exactly -1 (as tanh is in float32 for z < -9), quietly. float64, the dtype of exact
    # checks, keeps np.tanh.
    np.multiply(z, -2.0, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1.0
    np.divide(2.0, out, out=out)
    out -= 1.0
    return out


def _tanh_derivative(z, a, out):
    np.multiply(a, a, out=out)
    return np.subtract(1.0, out, out=out)


def _relu(z, out):
    return np.maximum(z, 0.0, out=out)


def _relu_derivative(z, a, out):
    return np.greater(z, 0.0, out=out, casting="unsafe")


LEAKY_SLOPE = 0.01


def _leaky_relu(z, out):
    np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def _leaky_relu_derivative(z, a, out):
    np.greater(z, 0.0, out=out, casting="unsafe")
    out *= 1.0 - LEAKY_SLOPE
    out += LEAKY_SLOPE
    return out


def _elu(z, out):
    # z for z > 0, e^z - 1 otherwise; exp of min(z, 0) so large z cannot overflow
    np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)
    return np.maximum(z, out, out=out)


def _elu_derivative(z, a, out):
    # 1 for z > 0, e^z = a + 1 otherwise
    np.add(a, 1.0, out=out)
    return np.minimum(out, 1.0, out=out)


def _linear(z, out):
    np.copyto(out, z)
    return out


def _linear_derivative(z, a, out):
    out.fill(1.0)
    return out


ACTIVATIONS: dict[str, Activation] = Registry("activation", [
    Activation("tanh", "Tanh", _tanh, _tanh_derivative, 1.0, (-1.0, 1.0), True,
               "tanh(z): zero-centred, squashes to (-1, 1); its slope 1 - tanh² vanishes when |z| is large."),
    Activation("sigmoid", "Sigmoid", _sigmoid, _sigmoid_derivative, 0.25, (0.0, 1.0), True,
               "1 / (1 + e^-z): squashes to (0, 1); its slope is at most 1/4, so deep stacks shrink gradients."),
    Activation("relu", "ReLU", _relu, _relu_derivative, 1.0, (0.0, 4.0), False,
               "max(0, z): slope 1 where active, 0 where not; a unit that is never active is 'dead'."),
    Activation("leaky_relu", "Leaky ReLU", _leaky_relu, _leaky_relu_derivative, 1.0, (-1.0, 4.0), False,
               f"max({LEAKY_SLOPE}·z, z): like ReLU but with a small slope for z < 0, so no unit dies."),
    Activation("elu", "ELU", _elu, _elu_derivative, 1.0, (-1.0, 4.0), False,
               "z for z > 0, e^z - 1 otherwise: smooth, and negative outputs keep the mean near 0."),
    Activation("linear", "Linear", _linear, _linear_derivative, 1.0, (-4.0, 4.0), True,
               "phi(z) = z: no non-linearity, so any depth is still one linear map."),
])
