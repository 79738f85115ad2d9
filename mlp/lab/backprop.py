"""Backprop, step by step: the seed's equations recomputed by hand for a tiny batch, and a gradient check.

`forward_backward` redoes the forward and backward pass one example at a time with plain float64
NumPy and its own formulas for phi and phi' (written from the definitions, not taken from the
engine), so the page's numbers are an independent witness: the tests assert they equal what
`MLP.forward` / `MLP.backward` compute batch-wise.

Everything here is indexed as the seed writes it: layer l = 1..L, so `steps.W[l]` is the seed's W[l]
and `steps.A[0]` is X (entry 0 of the other lists is None). Row-as-example throughout:
    Z[l] = A[l-1] W[l] + b[l]      A[l] = phi(Z[l])         (the output layer: softmax / sigmoid / z)
    delta[L] = A[L] - Y            delta[l] = (delta[l+1] W[l+1]^T) * phi'(Z[l])
    dW[l] = A[l-1]^T delta[l] / m  db[l] = sum over rows of delta[l] / m
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np

from mlp.engine.activations import ACTIVATIONS, LEAKY_SLOPE
from mlp.run.config import Config
from mlp.engine.datasets import DATASETS, make_dataset
from mlp.engine.gradcheck import safe_steps, gradcheck, numerical_gradient
from mlp.engine.network import MLP
from mlp.run.trainer import Trainer

BATCH = 4                    # m: the points whose numbers the page shows
MAX_HIDDEN_LAYERS = 3        # every matrix is printed, so the net stays small
MAX_WIDTH = 4
PASS_BELOW = 1e-6            # a correct backward in float64 checks at 1e-7 or below

# Each preset is a whole lab config: changes to Config() (so a preset always gives the same net).
PRESETS: dict[str, dict] = {
    "tanh 2-3-2": {"activation": "tanh", "hidden": (3,), "output": "softmax", "dataset": "circle"},
    # weight seed 2: most units are active for some of the 4 points, and some are not
    "ReLU 2-4-4-2": {"activation": "relu", "hidden": (4, 4), "output": "softmax", "dataset": "circle",
                     "init": "he_normal", "seed": 2},
    "sigmoid output (binary)": {"activation": "tanh", "hidden": (3,), "output": "sigmoid", "dataset": "circle"},
    "linear output (regression)": {"activation": "tanh", "hidden": (3,), "output": "linear", "dataset": "plane"},
}
DEFAULT_PRESET = "tanh 2-3-2"


def preset_config(name: str) -> Config:
    return Config(**PRESETS[name])


def size_problems(config: Config) -> list[str]:
    """Why a config is too big to print every number of (empty if it fits)."""
    if len(config.hidden) > MAX_HIDDEN_LAYERS or max(config.hidden, default=1) > MAX_WIDTH:
        return [f"this page prints every number, so it takes at most {MAX_HIDDEN_LAYERS} hidden layers of at "
                f"most {MAX_WIDTH} units (the Playground takes bigger nets)"]
    if not config.hidden:
        return ["give the network at least one hidden layer, so there is a phi' to follow backwards"]
    return []


def dataset_for_output(dataset: str, output: str) -> str:
    """`dataset` if the output suits it, else the first registered set that does (sigmoid: two classes)."""
    def suits(name: str) -> bool:
        spec = DATASETS[name]
        wanted = "regression" if output == "linear" else "classification"
        return spec.problem == wanted and (output != "sigmoid" or spec.n_classes == 2)
    return dataset if suits(dataset) else next(name for name in DATASETS if suits(name))


# -- phi and phi', written from the definitions ------------------------------------------------------
@dataclass(frozen=True)
class Formula:
    phi: Callable[[np.ndarray], np.ndarray]       # z -> phi(z)
    dphi: Callable[[np.ndarray], np.ndarray]      # z -> phi'(z)
    phi_tex: str                                  # LaTeX of phi(z)
    dphi_tex: str                                 # LaTeX of phi'(z)
    # a classic mistake, in the engine's signature (z, a, out) -> out, and what it computes
    wrong: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    wrong_tex: str                                # LaTeX of the wrong phi'
    mistake: str                                  # what went wrong, in words


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _ones(z, a, out):
    out.fill(1.0)
    return out


def _one_minus_a(z, a, out):
    return np.subtract(1.0, a, out=out)


FORMULAS: dict[str, Formula] = {
    "tanh": Formula(np.tanh, lambda z: 1.0 - np.tanh(z) ** 2, r"\tanh z", r"1 - \tanh^2 z",
                    _one_minus_a, "1 - a", "the square is forgotten: 1 − a instead of 1 − a²"),
    "sigmoid": Formula(_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z)), r"\sigma(z) = \frac{1}{1 + e^{-z}}",
                       r"\sigma(z)\,(1 - \sigma(z))",
                       _one_minus_a, "1 - a", "the factor a is forgotten: 1 − a instead of a(1 − a)"),
    "relu": Formula(lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64), r"\max(0, z)",
                    r"1 \text{ if } z > 0 \text{ else } 0",
                    _ones, "1", "φ' = 1 everywhere: inactive units pass the gradient back as if they were active"),
    "leaky_relu": Formula(lambda z: np.where(z > 0, z, LEAKY_SLOPE * z), lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE),
                          rf"\max({LEAKY_SLOPE}z, z)", rf"1 \text{{ if }} z > 0 \text{{ else }} {LEAKY_SLOPE}",
                          _ones, "1", "φ' = 1 everywhere: the small slope for z < 0 is forgotten"),
    "elu": Formula(lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
                   lambda z: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0))),
                   r"z \text{ if } z > 0 \text{ else } e^z - 1", r"1 \text{ if } z > 0 \text{ else } e^z",
                   _ones, "1", "φ' = 1 everywhere: the curved part for z < 0 is forgotten"),
    "linear": Formula(lambda z: z.copy(), np.ones_like, "z", "1",
                      lambda z, a, out: (out.fill(2.0), out)[1], "2", "a stray factor of 2: φ' = 2 instead of 1"),
}


def formula(activation: str) -> Formula:
    """The formula of a hidden activation; one registered later than this table falls back to the
    engine's own phi and phi' (still checked by the tests, no longer independent of them)."""
    if activation in FORMULAS:
        return FORMULAS[activation]
    act = ACTIVATIONS[activation]

    def phi(z):
        return act.fn(z, np.empty_like(z))

    def dphi(z):
        return act.derivative(z, phi(z), np.empty_like(z))

    def wrong(z, a, out):
        act.derivative(z, a, out)
        out *= 2.0
        return out
    name = rf"\mathrm{{{activation}}}"
    return Formula(phi, dphi, name + "(z)", name + "'(z)", wrong, name + r"'(z) \cdot 2", "a stray factor of 2")


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


OUTPUT_FORMULAS: dict[str, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    "softmax": (_softmax, r"\mathrm{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}"),
    "sigmoid": (_sigmoid, r"\mathrm{sigmoid}(z) = \frac{1}{1 + e^{-z}}"),
    "linear": (lambda z: z.copy(), r"\mathrm{linear}(z) = z"),
}


# -- the pass, one example at a time -----------------------------------------------------------------
@dataclass(frozen=True)
class Steps:
    """Every array of one forward and backward pass over m examples, seed-indexed (see the module doc).

    W[l] (n_{l-1}, n_l), b[l] (1, n_l); Z[l], A[l], delta[l] (m, n_l); gate[l] = phi'(Z[l]) for the
    hidden layers; dW[l], db[l] shaped like W[l], b[l]. A[0] = X (m, n_0); Y (m, n_L).
    """
    W: list
    b: list
    Z: list
    A: list
    gate: list
    delta: list
    dW: list
    db: list
    Y: np.ndarray

    @property
    def L(self) -> int:
        return len(self.W) - 1

    @property
    def m(self) -> int:
        return len(self.Y)

    def dW_term(self, l: int, i: int) -> np.ndarray:
        """Example i's share of dW[l] before the 1/m: A[l-1]_i^T delta[l]_i, an outer product."""
        return np.outer(self.A[l - 1][i], self.delta[l][i])


def forward_backward(net: MLP, X, Y) -> Steps:
    """The seed's forward and backward pass, example by example, in float64, from net's weights."""
    f = formula(net.activation.name)
    out_fn = OUTPUT_FORMULAS[net.output.name][0]
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    L, m = net.n_layers, len(X)
    W = [None] + [np.array(w, np.float64) for w in net.weights]
    b = [None] + [np.array(v, np.float64).reshape(1, -1) for v in net.biases]
    per_example = []
    for x, y in zip(X, Y):
        a, z, d = [x], [None], [None] * (L + 1)
        for l in range(1, L + 1):
            z.append(a[l - 1] @ W[l] + b[l][0])
            a.append(out_fn(z[l]) if l == L else f.phi(z[l]))
        d[L] = a[L] - y
        for l in range(L - 1, 0, -1):
            d[l] = (d[l + 1] @ W[l + 1].T) * f.dphi(z[l])
        per_example.append((z, a, d))

    def stack(k: int, l: int) -> np.ndarray:
        return np.stack([e[k][l] for e in per_example])
    Z = [None] + [stack(0, l) for l in range(1, L + 1)]
    A = [X] + [stack(1, l) for l in range(1, L + 1)]
    delta = [None] + [stack(2, l) for l in range(1, L + 1)]
    gate = [None] + [f.dphi(Z[l]) for l in range(1, L)]
    dW = [None] + [sum(np.outer(A[l - 1][i], delta[l][i]) for i in range(m)) / m for l in range(1, L + 1)]
    db = [None] + [sum(delta[l][i] for i in range(m)).reshape(1, -1) / m for l in range(1, L + 1)]
    return Steps(W, b, Z, A, gate, delta, dW, db, Y)


def engine_steps(net: MLP, X, Y) -> Steps:
    """The same arrays as the engine computes them (net.forward, net.backward, its workspace), copied."""
    net.forward(X)
    grads = net.backward(Y)
    ws = net.last_pass
    L = net.n_layers
    copies = lambda arrays: [None] + [np.array(a, np.float64) for a in arrays]   # noqa: E731
    return Steps(copies(net.weights), copies(net.biases), copies(ws.z), [np.asarray(X, np.float64)] + copies(ws.a)[1:],
                 copies(ws.gate[:L - 1]), copies(ws.delta), copies(dW for dW, _ in grads),
                 copies(db for _, db in grads), np.asarray(Y, np.float64))


def largest_difference(a: Steps, b: Steps) -> float:
    """max |a - b| over every Z, A, delta, dW and db: how far the two computations disagree."""
    worst = 0.0
    for name in ("Z", "A", "delta", "dW", "db"):
        for x, y in zip(getattr(a, name), getattr(b, name)):
            if x is not None:
                worst = max(worst, float(np.max(np.abs(x - y))))
    return worst


def tiny_batch(config: Config, m: int = BATCH) -> tuple[MLP, np.ndarray, np.ndarray, np.ndarray]:
    """(float64 net, X, Y, labels or targets) of the config's first m training points."""
    trainer = Trainer(config, dtype="float64")
    return (trainer.net, trainer.X_train[:m].copy(), trainer.Y_train[:m].copy(),
            trainer.data.y_train[:m].copy())


def batch_points(config: Config, m: int = BATCH) -> np.ndarray:
    """(m, 2): where the first m training points lie on the plane (tiny_batch's X holds their features)."""
    data = make_dataset(config.dataset, config.n_samples, config.noise, config.train_fraction, config.data_seed,
                        config.n_classes)
    return data.X_train[:m].copy()


def shape_table(sizes, m: int) -> list[dict[str, tuple[int, int]]]:
    """The seed's shape bookkeeping, from the widths alone: row 0 is the input (A[0] = X), row l layer l."""
    rows = [{"A": (m, sizes[0])}]
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        rows.append({"W": (n_in, n_out), "b": (1, n_out), "Z": (m, n_out), "A": (m, n_out),
                     "delta": (m, n_out), "dW": (n_in, n_out), "db": (1, n_out)})
    return rows


# -- gradient check ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerCheck:
    layer: int                  # 1..L
    analytic: np.ndarray        # backprop's dW[l]
    numeric: np.ndarray         # finite differences of the loss
    analytic_b: np.ndarray      # db[l]
    numeric_b: np.ndarray
    error: float                # the worst relative error over dW[l] and db[l] (mlp.engine.gradcheck)

    @property
    def passed(self) -> bool:
        return self.error < PASS_BELOW


def checked_copy(net: MLP, broken: bool = False) -> MLP:
    """A float64 copy of net; with `broken`, its phi' is the formula's classic mistake.

    The registry's activation is left alone: the copy gets a modified copy of it.
    """
    twin = MLP(net.sizes, activation=net.activation.name, output=net.output.name, dtype="float64")
    twin.set_params(net.params.astype(np.float64))
    if broken:
        twin.activation = dataclasses.replace(net.activation, derivative=formula(net.activation.name).wrong)
    return twin


def gradient_check(net: MLP, X, Y, broken: bool = False) -> list[LayerCheck]:
    """Backprop against finite differences, layer by layer, on a float64 copy of net."""
    twin = checked_copy(net, broken)
    X, Y = np.asarray(X, np.float64), np.asarray(Y, np.float64)
    errors = gradcheck(twin, X, Y)
    twin.forward(X)
    analytic = [(dW.copy(), db.copy()) for dW, db in twin.backward(Y)]
    steps = safe_steps(twin, X)
    return [LayerCheck(l + 1, dW, numerical_gradient(twin, X, Y, twin.weights[l], steps[l]), db,
                       numerical_gradient(twin, X, Y, twin.biases[l], steps[l]), errors[l])
            for l, (dW, db) in enumerate(analytic)]
