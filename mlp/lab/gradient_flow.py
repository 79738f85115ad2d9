"""Gradient flow through a deep net: presets, the verdict in words, and the variance theory predicts.

The delta recursion (mlp/engine/network.py) multiplies the error by W[l+1].T and phi'(Z[l]) once per layer,

    delta[l] = (delta[l+1] @ W[l+1].T) * phi'(Z[l]),

so its size changes by about the same factor at every layer, sqrt(n_out · Var(W) · E[phi'(z)²]), and
over L layers by that factor to the power L: below 1 it vanishes, above 1 it explodes.

The headline: mean |delta[l]|, the backward error per unit. Per unit, because the theory's factor is
about one unit's error and layers differ in width (the output layer has 1 or 2 units, hidden ones
dozens): ‖delta[l]‖ would add a sqrt(width) step where the width changes. The headline ratio is the
first hidden layer's over the LAST HIDDEN layer's, not the output layer's: the output layer's error
A − Y is set by the loss and the labels, and its hop into the last hidden layer by its own 1–2
units, so including it would put a factor into the ratio that no hidden layer causes (it made the
30-layer preset read up to 30x away from its own per-layer factor to the 29th power).

Why the verdict reads mean |delta| and not ‖dW‖: dW[l] = A[l-1].T @ delta[l] / m carries the forward
signal A[l-1] too. ReLU is positively homogeneous, so in a ReLU net without biases <W[l], dW[l]> is
the same number for every layer: when delta grows by 4x per layer on the way back, A grows by 4x per
layer on the way forward, and ‖dW[l]‖ comes out level across the layers — uniformly huge (exploding)
or uniformly tiny — while delta spans ten orders of magnitude. Sigmoid and tanh keep A bounded, so
there both measures fall together. The pages show both, and the relative update ‖ΔW‖ / ‖W‖.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp.engine.activations import ACTIVATIONS
from mlp.run.config import Config
from mlp.run.history import History
from mlp.engine.initializers import INITIALIZERS
from mlp.notation import number_text  # noqa: F401 (the pages write numbers as flow.number_text)
from mlp.run.signals import GRAD_LOG_RANGE, N_BINS, LayerSignals

VANISHING_BELOW = 1e-3      # first hidden layer's error / last hidden layer's error
EXPLODING_ABOVE = 1e3
HEALTHY_RANGE = (0.1, 10.0)  # the total a healthy net keeps within
# Per layer: a layer that passes back much less (more) than it receives is a steady decay (growth),
# whatever the total over the few layers this net has. The line sits between the two papers' cases:
# Glorot & Bengio 2010's "standard" init U(±1/√n_in) gives n·Var(W) = 1/3, a factor 1/√3 ≈ 0.58 per
# layer, which they show shrinking the back-propagated gradients toward the input (not healthy, at any
# depth); He et al. 2015's Var(W) = 1/n_in with ReLU gives 1/√2 ≈ 0.71, which their 22-layer net still
# trains with and their 30-layer one does not: that is judged by its total over the layers (vanishing
# when deep), not per layer. Growth mirrors decay on a log scale.
DECAY_BELOW = 0.65
GROWTH_ABOVE = 1 / DECAY_BELOW
TIMELINE_CAPACITY = 200     # recorded steps of histograms kept (thinned as mlp/run/history.py does)

# What every preset shares: the circle set, plain SGD (Adam would rescale each weight's step and hide
# how small the raw gradient is), minibatches of 25.
LAB_BASE = Config(dataset="circle", n_samples=500, optimizer="sgd", lr=0.03, batch_size=25)


@dataclass(frozen=True)
class Preset:
    name: str
    label: str          # what the button says
    regime: str         # what the verdict at initialisation says: "vanishing", "exploding", "healthy"
    config: Config
    story: str          # why, in two sentences, quoting `factor` and `total` as number_text writes them
    factor: float       # what each hidden layer passes back, by the theory (the page's "per layer")
    total: float        # factor ** (hidden layers - 1): the page's "first / last hidden"

    @property
    def setting(self) -> str:
        """The net in a few words, from its config: "ReLU + He normal, 10 hidden layers of 32 units"."""
        c = self.config
        return (f"{ACTIVATIONS[c.activation].label} + {INITIALIZERS[c.init].label}, {len(c.hidden)} hidden layers "
                f"of {c.hidden[0]} units")


def _preset(name, label, regime, config, factor, story) -> Preset:
    total = factor ** (len(config.hidden) - 1)
    return Preset(name, label, regime, config,
                  story.format(factor=number_text(factor), total=number_text(total), hops=len(config.hidden) - 1),
                  factor, total)


# -- the numbers behind the verdict -------------------------------------------------------------
def gradient_ratio(signals: LayerSignals) -> float:
    """mean |delta| of the first hidden layer over that of the last hidden layer: how much of the error
    gets back through the hidden layers (1 with a single hidden layer: nothing to cross)."""
    d = np.asarray(signals.delta_mean_abs, np.float64)
    if len(d) < 3:
        return 1.0 if np.isfinite(d).all() else float("nan")
    with np.errstate(all="ignore"):
        return float(d[0] / d[-2])


def weight_gradient_ratio(signals: LayerSignals) -> float:
    """‖dW‖ of the first layer over ‖dW‖ of the last hidden layer (level for ReLU nets; module doc)."""
    g = np.asarray(signals.grad_norm, np.float64)
    with np.errstate(all="ignore"):
        return float(g[0] / g[max(len(g) - 2, 0)])


def per_layer_factor(signals: LayerSignals) -> float:
    """The geometric mean of delta[l] / delta[l+1] over the hidden layers: what one layer passes back.

    nan with fewer than two hidden layers.
    """
    hops = len(signals.delta_mean_abs) - 2                       # hidden layer to hidden layer
    if hops < 1:
        return float("nan")
    with np.errstate(all="ignore"):
        return float(gradient_ratio(signals) ** (1.0 / hops))


def regime(ratio: float, factor: float = float("nan")) -> str:
    """"vanishing", "exploding", "decaying", "growing", "healthy", or "not finite" (a diverged net).

    The total first / last hidden decides vanishing and exploding; short of those, a total outside
    HEALTHY_RANGE or a per-layer factor below DECAY_BELOW (above GROWTH_ABOVE) is a steady decay
    (growth) that more layers would turn into vanishing (exploding).
    """
    if not np.isfinite(ratio):
        return "not finite"
    if ratio < VANISHING_BELOW:
        return "vanishing"
    if ratio > EXPLODING_ABOVE:
        return "exploding"
    if ratio < HEALTHY_RANGE[0] or factor < DECAY_BELOW:
        return "decaying"
    if ratio > HEALTHY_RANGE[1] or factor > GROWTH_ABOVE:
        return "growing"
    return "healthy"


def _layers_to(threshold: float, factor: float) -> int:
    """How many layers at `factor` each take the error to `threshold` (factor != 1)."""
    return int(np.ceil(np.log(threshold) / np.log(factor)))


def verdict(ratio: float, per_layer: float = float("nan"), depth: int | None = None) -> str:
    """The diagnosis in words, with the numbers: e.g. "... 3.2·10⁻⁶ of ...: **vanishing**. ...".

    ratio: first hidden / last hidden mean |delta|; per_layer: per_layer_factor; depth: hidden layers.
    """
    kind = regime(ratio, per_layer)
    if kind == "not finite":
        return ("The gradients are not finite numbers (NaN or ∞): the net has overflowed, the last step of an "
                "exploding gradient.")
    if depth is not None and depth < 2:
        return ("With one hidden layer the error has no hidden layers to cross: nothing can vanish or explode "
                "here (**healthy** by construction). Add layers to see it happen.")
    factor = number_text(per_layer) if np.isfinite(per_layer) else None
    head = f"The error reaching the first hidden layer is {number_text(ratio)} × the error at the last hidden layer"
    if kind == "vanishing":
        text = f"{head}: **vanishing** — the first layers barely learn."
        if factor and per_layer >= DECAY_BELOW:
            layers = f"{depth - 1} of them" if depth else "the layers"
            text += f" A slow decay: each layer passes back {factor}× what it receives, and {layers} compound it."
        elif factor:
            text += f" Each layer passes back only {factor}× what it receives."
        return text
    if kind == "exploding":
        text = f"{head}: **exploding** — one step of SGD throws the first layers far away."
        return text + (f" Each layer multiplies it by {factor}." if factor else "")
    if kind in ("decaying", "growing"):
        threshold = VANISHING_BELOW if kind == "decaying" else EXPLODING_ABOVE
        text = (f"{head}: **{kind}** — each layer passes back {factor}× what it receives, a steady "
                f"{'decay' if kind == 'decaying' else 'growth'}." if factor else f"{head}: **{kind}**.")
        if factor and per_layer != 1:
            n = _layers_to(threshold, per_layer)
            text += (f" Not yet {'vanishing' if kind == 'decaying' else 'exploding'} ({number_text(threshold)}) "
                     f"over these layers, but {n} such layers would be.")
        return text
    text = f"{head}: **healthy** — every layer gets a gradient of a usable size."
    return text + (f" Each layer passes back {factor}× what it receives." if factor else "")


# -- the Playground's line: its gradients named on the first screen ----------------------------------
# A net this deep or deeper is told about a steady decay (growth) too; a shallower one only when its
# total crosses the vanishing / exploding line (a 2-layer net's narrow hops give noisy factors).
STEADY_FROM_LAYERS = 4


def backward_profile(signals: LayerSignals) -> np.ndarray:
    """(H,) each hidden layer's mean |delta| over the last hidden layer's: what reaches it of the error
    the last hidden layer gets (1 for the last hidden layer itself; nan where it is not finite)."""
    d = np.asarray(signals.delta_mean_abs, np.float64)[:-1]
    with np.errstate(all="ignore"):
        rel = d / d[-1] if len(d) else d
    return np.where(np.isfinite(rel), rel, np.nan)


def advice(kind: str, config: Config) -> str:
    """One action that helps, for this net's activation and init."""
    act, init = config.activation, config.init
    he = init.startswith("he_")
    xavier = init.startswith("xavier_")
    if kind in ("vanishing", "decaying"):
        if act == "sigmoid":
            return "try ReLU with He init (or tanh with Xavier): sigmoid's slope is at most ¼"
        if act in ("relu", "leaky_relu", "elu") and not he:
            return "try He init: it doubles the variance to make up for ReLU switching half the units off"
        if act == "tanh" and not xavier:
            return "try Xavier init: it keeps n_in·Var(W) at 1"
        return "use fewer hidden layers"
    if kind in ("exploding", "growing"):
        if init in ("normal", "uniform") or config.init_gain > 1:
            return f"try {'He' if act in ('relu', 'leaky_relu', 'elu') else 'Xavier'} init: weights this large multiply the error at every layer"
        return "lower the learning rate, or turn on gradient clipping"
    return ""


def playground_verdict(signals: LayerSignals | None, config: Config) -> tuple[str, str] | None:
    """(regime, a sentence with one action) when the net's backward signal is not healthy; None when it is
    (or when there is nothing to judge: no signals, fewer than two hidden layers, a diverged step, which
    the page's divergence banner names)."""
    hidden = len(config.hidden)
    if signals is None or hidden < 2:
        return None
    ratio, factor = gradient_ratio(signals), per_layer_factor(signals)
    kind = regime(ratio, factor)
    if kind in ("healthy", "not finite") or (kind in ("decaying", "growing") and hidden < STEADY_FROM_LAYERS):
        return None
    words = {"vanishing": "Vanishing gradients", "exploding": "Exploding gradients",
             "decaying": "Decaying gradients", "growing": "Growing gradients"}[kind]
    return kind, (f"**{words}**: the first hidden layer gets {number_text(ratio)} × the error the last hidden "
                  f"layer gets ({number_text(factor)}× per layer) — {advice(kind, config)}.")


PRESETS: dict[str, Preset] = {p.name: p for p in [
    _preset("vanishing", "Vanishing: sigmoid", "vanishing",
            LAB_BASE.replace(activation="sigmoid", init="normal", hidden=(4,) * 10), 1 / 3,
            "Sigmoid's slope is at most ¼, and N(0, 1) weights push many units into its flat tails where the "
            "slope is near 0: each layer passes back about {factor} of the error it receives, so the {hops} "
            "hops from the last hidden layer leave the first one about {total} of it."),
    _preset("exploding", "Exploding: ReLU", "exploding",
            LAB_BASE.replace(activation="relu", init="normal", hidden=(32,) * 10), 4.0,
            "With N(0, 1) weights n_in·Var(W) = 32 and ReLU keeps half of it, so every layer multiplies the "
            "error by about √16 = {factor} on the way back: {factor}⁹ ≈ {total} over the {hops} hops. The "
            "signal grows by {factor} per layer on the way forward too, which is why ‖dW‖ stays level. Press "
            "Play: the first steps overflow."),
    _preset("tanh_xavier", "Healthy: tanh + Xavier", "healthy",
            LAB_BASE.replace(activation="tanh", init="xavier_normal", hidden=(32,) * 10), 0.9,
            "Xavier's Var(W) = 2 / (n_in + n_out) makes n_in·Var(W) = 1 for equal widths, and tanh passes "
            "small signals through almost unchanged (its slope is a little under 1): about {factor} per layer, "
            "{total} over the {hops} hops — the error reaches the first layer at a usable size."),
    _preset("relu_he", "Healthy: ReLU + He", "healthy",
            LAB_BASE.replace(activation="relu", init="he_normal", hidden=(32,) * 10), 1.0,
            "He's Var(W) = 2 / n_in doubles Xavier to make up for ReLU switching off half of the units: "
            "n_in·Var(W)·½ = 1, so each layer passes back about {factor}× and the error keeps its size."),
    _preset("slow_decay", "Slow decay: 30 layers", "vanishing",
            # seed 2: a draw near the middle of seeds 0-11 (6.5·10⁻⁶ … 1.2·10⁻⁴ over 29 hops; seed 0 is near
            # the low end), so the page's number at the button sits by the story's
            LAB_BASE.replace(activation="relu", init="xavier_normal", hidden=(32,) * 30, seed=2), 2 ** -0.5,
            "Xavier suits tanh, but ReLU keeps only half of it: each layer passes back 1/√2 ≈ {factor} of the "
            "error. Harmless in 3 layers; over the {hops} hops of 30 it is 2⁻¹⁴·⁵ ≈ {total} — a slow decay "
            "that still vanishes."),
]}


def preset_of(config: Config) -> Preset | None:
    """The preset this config is (whatever its weight seed), if any."""
    return next((p for p in PRESETS.values() if p.config == config.replace(seed=p.config.seed)), None)


# -- variance: what the theory predicts, what the net measures ---------------------------------
def second_moment_factor(activation: str) -> float:
    """c = E[phi(z)²] / E[z²] for small z ~ N(0, s²): how much of the signal's power phi passes on.

    Exact at any scale for the ReLU family (ReLU ½, leaky (1 + slope²)/2), the linear regime for
    smooth ones (tanh 1). nan when phi(0) != 0 (sigmoid): its outputs carry a mean of ½ that adds to
    E[a²] whatever the variance, so no product of per-layer factors predicts it.
    Computed from the activation itself by Gauss–Hermite quadrature (symmetric nodes: exact for kinks at 0).
    """
    phi = ACTIVATIONS[activation].fn
    if abs(float(phi(np.zeros(1), np.empty(1))[0])) > 1e-12:
        return float("nan")
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)      # E over N(0, 1) = sum(w f) / sqrt(2 pi)
    scale = 1e-3
    z = nodes * scale
    power = np.sum(weights * phi(z, np.empty_like(z)) ** 2) / np.sum(weights * z ** 2)
    return float(power)


def layer_factors(config: Config) -> np.ndarray:
    """n_in · Var(W) · gain² of each weight layer l = 1..L: the factor by which it scales E[z²]."""
    scheme, sizes = INITIALIZERS[config.init], config.layer_sizes
    return np.array([n_in * scheme.variance(n_in, n_out) * config.init_gain ** 2
                     for n_in, n_out in zip(sizes[:-1], sizes[1:])])


def predicted_variance(config: Config) -> np.ndarray:
    """E[Z[l]²] / E[X²] for l = 1..L that the theory predicts at initialisation (zero biases):

        Var(Z[1]) = n_0 · Var(W[1]) · E[X²],   Var(Z[l]) = n_(l-1) · Var(W[l]) · c · Var(Z[l-1]),

    c = second_moment_factor(activation) (1 in the linear regime, ½ for ReLU). A cumulative product;
    nan beyond the first layer when the activation has no such factor (sigmoid).
    """
    factors = layer_factors(config)
    c = second_moment_factor(config.activation)
    steps = np.concatenate([[1.0], np.full(len(factors) - 1, c)]) * factors
    return np.cumprod(steps)


def measured_variance(trainer) -> np.ndarray:
    """E[Z[l]²] / E[X²] for l = 1..L, measured on the trainer's training set at its current weights.

    E[z²] (not the variance around each unit's own mean) is what the theory's Var(Z) is: the spread of
    z over the random weights and the data together.
    """
    net, X = trainer.net, trainer.X_train
    inputs = [X] + net.layer_outputs(X)[:-1]
    with np.errstate(all="ignore"):
        power = [np.mean(np.square((a @ W + b).astype(np.float64)))
                 for a, W, b in zip(inputs, net.weights, net.biases)]
        return np.array(power) / np.mean(np.square(np.asarray(X, np.float64)))


# -- histograms over time ------------------------------------------------------------------------
class HistogramTimeline:
    """Each layer's activation and gradient histograms at recorded steps, as TensorBoard keeps them.

    Bounded: at most `capacity` records; when full, every other one is dropped and the recording
    stride doubles (mlp/run/history.py), so the record always spans the whole run.
    """

    def __init__(self, n_layers: int, capacity: int = TIMELINE_CAPACITY):
        self.n_layers = n_layers
        self._history = History({"step": (), "activations": (n_layers, N_BINS),
                                 "gradients": (n_layers, N_BINS)}, capacity)
        self.activation_edges: np.ndarray | None = None        # (L, N_BINS + 1), from the first record
        self.gradient_edges = np.linspace(*GRAD_LOG_RANGE, N_BINS + 1)

    def __len__(self) -> int:
        return len(self._history)

    @property
    def steps(self) -> np.ndarray:
        return self._history.column("step")

    def record(self, step: int, signals: LayerSignals | None) -> bool:
        """Offer one step's histograms; False if not kept (no signals, that step is already there, or
        the thinned record skips it).

        A step before the last recorded one (after stepping back) first forgets the later records.
        """
        if signals is None:
            return False
        steps = self.steps
        if len(steps) and step <= steps[-1]:
            self._history.drop_after(step)
            if len(self) and self.steps[-1] == step:
                return False
        if self.activation_edges is None:
            self.activation_edges = np.array(signals.activation_edges, np.float64)
        self._history.append(step=step, activations=signals.activation_hist, gradients=signals.gradient_hist)
        return bool(len(self)) and self.steps[-1] == step

    def over_time(self, kind: str, layer: int) -> np.ndarray:
        """(T, N_BINS) counts of one layer (0-based) at every recorded step; kind "activations" or "gradients"."""
        return self._history.column(kind)[:, layer, :]

    def at(self, kind: str, index: int) -> np.ndarray:
        """(L, N_BINS) counts of every layer at the index-th recorded step."""
        return self._history.column(kind)[index]

    def edges(self, kind: str, layer: int) -> np.ndarray:
        if kind == "gradients":
            return self.gradient_edges
        return self.activation_edges[layer]
