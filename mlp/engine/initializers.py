"""Weight initialisation schemes.

Each scheme is a distribution (normal or uniform, always centred on 0) and the variance it gives a
weight as a function of the layer's fan-in and fan-out. A uniform U(-a, a) has variance a²/3, so the
familiar limits follow: Xavier uniform a = sqrt(6 / (n_in + n_out)), He uniform a = sqrt(6 / n_in).

Why the variance is what matters: a unit sums n_in inputs, so Var(z) ≈ n_in · Var(W) · E[a²]; when
n_in · Var(W) is above 1 per layer the signal grows layer after layer (exploding), below 1 it fades
(vanishing). Xavier keeps it near 1 for tanh, He doubles it to make up for ReLU zeroing half the units.
The `gain` multiplies every weight, i.e. scales the variance by gain².
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlp.engine.checks import Registry


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str
    distribution: str                            # "normal", "uniform" or "zeros"
    variance: Callable[[int, int], float]        # (n_in, n_out) -> Var(W) before the gain
    formula: str                                 # the variance, as a teacher writes it
    help: str

    def __call__(self, n_in: int, n_out: int, rng: np.random.Generator, gain: float = 1.0) -> np.ndarray:
        """A fresh weight matrix W of shape (n_in, n_out), float64."""
        std = gain * np.sqrt(self.variance(n_in, n_out))
        if self.distribution == "normal":
            return rng.standard_normal((n_in, n_out)) * std
        if self.distribution == "uniform":
            limit = np.sqrt(3.0) * std
            return rng.uniform(-limit, limit, (n_in, n_out))
        return np.zeros((n_in, n_out))


INITIALIZERS: dict[str, Initializer] = Registry("init", [
    Initializer("xavier_normal", "Xavier (Glorot) normal", "normal", lambda i, o: 2.0 / (i + o),
                "Var(W) = 2 / (n_in + n_out)",
                "Keeps the signal's variance about constant through tanh/sigmoid layers."),
    Initializer("xavier_uniform", "Xavier (Glorot) uniform", "uniform", lambda i, o: 2.0 / (i + o),
                "W ~ U(±√(6 / (n_in + n_out))), Var(W) = 2 / (n_in + n_out)",
                "Xavier's variance from a uniform distribution."),
    Initializer("he_normal", "He normal", "normal", lambda i, o: 2.0 / i,
                "Var(W) = 2 / n_in",
                "Twice Xavier's variance (for equal fans): makes up for ReLU switching off half the units."),
    Initializer("he_uniform", "He uniform", "uniform", lambda i, o: 2.0 / i,
                "W ~ U(±√(6 / n_in)), Var(W) = 2 / n_in",
                "He's variance from a uniform distribution."),
    Initializer("lecun_normal", "LeCun normal", "normal", lambda i, o: 1.0 / i,
                "Var(W) = 1 / n_in",
                "n_in·Var(W) = 1: keeps a linear layer's variance. The form He et al. (2015) call Xavier's and "
                "compare against: with ReLU it halves the variance at every layer."),
    Initializer("standard", "Standard U(±1/√n_in) (PyTorch's default)", "uniform", lambda i, o: 1.0 / (3.0 * i),
                "W ~ U(±1/√n_in), Var(W) = 1 / (3·n_in)",
                "The 'standard' initialization of Glorot & Bengio (2010), and what PyTorch's nn.Linear draws by "
                "default: n_in·Var(W) = 1/3, so each tanh layer scales the variance by about 1/3."),
    Initializer("small", "Small random (0.01·N(0,1))", "normal", lambda i, o: 1e-4,
                "Var(W) = 0.0001",
                "Tiny weights: the signal shrinks at every layer, so deep nets barely learn."),
    Initializer("normal", "Standard normal N(0, 1)", "normal", lambda i, o: 1.0,
                "Var(W) = 1",
                "Too large for wide layers: n_in·Var(W) = n_in, so activations saturate or explode."),
    Initializer("uniform", "Uniform U(-1, 1)", "uniform", lambda i, o: 1.0 / 3.0,
                "W ~ U(-1, 1), Var(W) = 1/3",
                "Ignores the layer's size, like N(0, 1) but a little smaller."),
    # TF Playground starts every weight at Math.random() - 0.5 whatever the layer's size (src/nn.ts), and
    # every bias at 0.1: a link from it gets this init and bias_init 0.1 (mlp/run/tfp_link.py).
    Initializer("tfp_uniform", "TF Playground's U(-0.5, 0.5)", "uniform", lambda i, o: 1.0 / 12.0,
                "W ~ U(-0.5, 0.5), Var(W) = 1/12",
                "TensorFlow Playground's own starting weights: the same range for every layer, whatever its size."),
    Initializer("zeros", "Zeros", "zeros", lambda i, o: 0.0,
                "W = 0",
                "Every unit of a layer starts identical and gets identical updates: symmetry never breaks."),
])
