"""Two papers' figures about initialisation, reproduced with this engine.

Both papers follow a signal through a deep net at initialisation with the same linear argument.
With fan-in = fan-out = n, a layer multiplies the variance of what goes up (the activations A[l])
and of what comes back down (the back-propagated gradients δ[l]) by

    k = c · n · Var(W)        c: the share of the variance the activation passes on near 0 —
                              1 for tanh (tanh'(0) = 1), ½ for ReLU (it zeroes half the units)

The weight gradient dW[l] = A[l-1]ᵀ δ[l] / m takes its size from both, and going up a layer A gains
a factor k while δ loses one, so dW's variance is the same at every layer whatever k is (Glorot &
Bengio's eq. 14): a level ‖dW‖ can hide activations and deltas that both fade.

`reproduce(paper, seed)` measures one statistic (the variance, or the std as He et al. write it) of
A[l], δ[l] and dW[l] for every hidden layer, from the engine's own forward and backward pass on a
whole batch, for the two inits a paper compares; for He et al. it also trains both nets for a fixed
number of steps. `findings` puts the measured factors beside the theory's, as a table.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp.run.config import Config
from mlp.engine.initializers import INITIALIZERS
from mlp.engine.network import MLP
from mlp.notation import number_text
from mlp.run.trainer import Trainer

# steps between two points of a loss curve: 21 points over 500 steps; each point evaluates the training and
# test sets, which costs as much as ~20 steps here
CHUNK = 25


@dataclass(frozen=True)
class Paper:
    name: str                   # the preset's name; its link is ?preset=<name with - for _>
    label: str                  # the preset's button
    citation: str
    claim: str                  # what the paper says happens, in words
    setup: str                  # the net measured here, and how it differs from the paper's
    config: Config              # net, data and training; its init is ignored (see schemes)
    schemes: tuple[str, str]    # (the init the paper argues against, the one it proposes)
    statistic: str              # "variance" or "std"
    passed_on: float            # c above
    wide_input: bool            # measure on a toy set as wide as a hidden layer (see wide_toy_set)
    steps: int                  # the training budget; 0: at initialisation only


PAPERS: dict[str, Paper] = {p.name: p for p in [
    Paper(
        "glorot_2010", "Glorot & Bengio 2010",
        "Xavier Glorot and Yoshua Bengio (2010), *Understanding the difficulty of training deep feedforward "
        "neural networks*, AISTATS, section 4.2 (the analysis of 4.2.1, figures 6–8).",
        "tanh, five hidden layers. With the “standard” initialization W ~ U(±1/√n_in) — what PyTorch's "
        "nn.Linear draws by default — n·Var(W) = 1/3, so each layer scales the variance by about 1/3: the "
        "activations' variance falls layer by layer going up, the back-propagated gradients' variance falls "
        "going down toward the input, and yet the weight gradients' variance stays about level across the "
        "layers (‖dW‖ alone would hide both). With their normalized initialization (Xavier uniform) all three "
        "stay about level.",
        "Measured at initialisation on a net shaped like theirs: 5 hidden layers of 128 tanh units (theirs: "
        "1000) and an input as wide as a hidden layer, as the analysis assumes (theirs: 32×32 images), here "
        "250 points uniform in [−1, 1]¹²⁸ in two classes. Their analysis is linear (tanh'(0) = 1); tanh's curve "
        "takes a little more at each layer, so the normalized init measures about 0.8 per layer rather than 1. "
        "The lab's charts below use the circle set (2 inputs).",
        Config(dataset="circle", n_samples=500, hidden=(128,) * 5, activation="tanh", optimizer="sgd", lr=0.03,
               batch_size=25),
        ("standard", "xavier_uniform"), "variance", 1.0, True, 0),
    Paper(
        "he_2015", "He et al. 2015",
        "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun (2015), *Delving deep into rectifiers: "
        "surpassing human-level performance on ImageNet classification*, ICCV, section 2.2 and figure 3.",
        "A 30-layer ReLU net. With Var(W) = 1/n_in (the Xavier form they compare against) each layer scales "
        "the signal's std by about 1/√2 — about 2⁻¹⁵ over 30 layers — and the net stalls; with Var(W) = 2/n_in "
        "(theirs) the std stays level and the net trains.",
        "Measured on the lab's net: 30 hidden layers of 64 ReLU units on the circle set (250 training "
        "points), then 500 steps of plain SGD (learning rate 0.003, batches of 25) from each init. Theirs: a "
        "30-layer convolutional net on ImageNet.",
        Config(dataset="circle", n_samples=500, hidden=(64,) * 30, activation="relu", optimizer="sgd", lr=0.003,
               batch_size=25),
        ("lecun_normal", "he_normal"), "std", 0.5, False, 500),
]}


@dataclass(frozen=True)
class LayerStats:
    """One statistic per hidden layer l = 1..L-1 (index 0 is layer 1), each array (L-1,), over a batch."""
    activations: np.ndarray     # of the entries of A[l]
    deltas: np.ndarray          # of δ[l]
    weight_grads: np.ndarray    # of dW[l], the weights into layer l


def layer_stats(net: MLP, X, Y, statistic: str) -> LayerStats:
    """The variance (or std) of A[l], δ[l] and dW[l] of every hidden layer, from one forward and backward
    pass of the engine over X (m, n0) with targets Y (m, nL). Reads the pass's workspace, as
    lab/backprop.engine_steps does."""
    if statistic not in ("variance", "std"):
        raise ValueError(f"statistic must be 'variance' or 'std', got {statistic!r}")
    measure = np.var if statistic == "variance" else np.std
    net.forward(X)
    grads = net.backward(Y)
    ws, hidden = net.last_pass, range(net.n_layers - 1)
    with np.errstate(all="ignore"):
        return LayerStats(*(np.array([float(measure(arrays[l], dtype=np.float64)) for l in hidden])
                            for arrays in (ws.a, ws.delta, [dW for dW, _ in grads])))


def wide_toy_set(n_features: int, n_points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(X (n_points, n_features) uniform in [-1, 1], Y one-hot (n_points, 2)): two classes split by a
    random hyperplane through 0. Glorot & Bengio's argument takes every layer, the input too, as wide
    as the next; the circle set's 2 inputs would make the first layer the odd one out."""
    rng = np.random.default_rng([seed, 2010])
    X = rng.uniform(-1.0, 1.0, (n_points, n_features))
    labels = (X @ rng.standard_normal(n_features) > 0).astype(np.intp)
    return X, np.eye(2)[labels]


def _measure(paper: Paper, scheme: str, seed: int) -> LayerStats:
    config = paper.config.replace(init=scheme, seed=seed)
    if paper.wide_input:
        n_points = round(config.n_samples * config.train_fraction)      # as many as the lab trains on
        X, Y = wide_toy_set(config.hidden[0], n_points, config.data_seed)
        net = MLP((X.shape[1], *config.hidden, Y.shape[1]), activation=config.activation, init=scheme, seed=seed)
        return layer_stats(net, X, Y, paper.statistic)
    trainer = Trainer(config)
    return layer_stats(trainer.net, trainer.X_train, trainer.Y_train, paper.statistic)


def loss_curve(config: Config, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """(steps, training loss) every CHUNK steps of `steps` from the config's initial weights (a run that
    overflows stops where it did)."""
    trainer = Trainer(config)
    at, loss = [0], [trainer.run(0, signals=False).train_loss]
    while trainer.step < steps and trainer.diverged_at is None:
        report = trainer.run(min(CHUNK, steps - trainer.step), signals=False)
        if trainer.diverged_at is None:
            at.append(report.step)
            loss.append(report.train_loss)
    return np.array(at), np.array(loss)


@dataclass(frozen=True)
class Reproduction:
    paper: Paper
    seed: int
    at_init: dict[str, LayerStats]                              # scheme -> its layers at initialisation
    curves: dict[str, tuple[np.ndarray, np.ndarray]]            # scheme -> (steps, loss); empty if no steps

    @property
    def n_layers(self) -> int:
        return len(self.at_init[self.paper.schemes[0]].activations)

    def predicted_factor(self, scheme: str) -> float:
        """The theory's factor per layer, for the paper's statistic: k = c·n·Var(W), or √k for the std."""
        n = self.paper.config.hidden[0]
        k = self.paper.passed_on * n * INITIALIZERS[scheme].variance(n, n)
        return k if self.paper.statistic == "variance" else float(np.sqrt(k))

    def measured_factor(self, scheme: str, quantity: str) -> float:
        """The factor per layer the way the signal travels (up for activations, down for δ), as the
        geometric mean over the hidden layers: (last / first) ** (1 / (layers - 1))."""
        v = getattr(self.at_init[scheme], quantity)
        travelled = v[-1] / v[0] if quantity != "deltas" else v[0] / v[-1]
        return float(travelled ** (1.0 / (len(v) - 1)))

    def spread(self, scheme: str, quantity: str) -> float:
        """max / min over the hidden layers: 1 is perfectly level."""
        v = getattr(self.at_init[scheme], quantity)
        return float(v.max() / v.min())

    def loss_change(self, scheme: str) -> tuple[float, float]:
        """(training loss at step 0, after the budget)."""
        loss = self.curves[scheme][1]
        return float(loss[0]), float(loss[-1])


def reproduce(paper: Paper, seed: int = 0) -> Reproduction:
    """Both schemes of the paper at initialisation, and trained for paper.steps when it has any."""
    at_init = {s: _measure(paper, s, seed) for s in paper.schemes}
    curves = {s: loss_curve(paper.config.replace(init=s, seed=seed), paper.steps)
              for s in paper.schemes} if paper.steps else {}
    return Reproduction(paper, seed, at_init, curves)


def findings(rep: Reproduction) -> list[str]:
    """The numbers the layer figure shows, as markdown blocks: a table with a row per init, each measured
    factor beside the theory's, then how the two inits' weight gradients compare."""
    p, L = rep.paper, rep.n_layers
    what = "Var" if p.statistic == "variance" else "std"
    formula = "n·Var(W)" if p.passed_on == 1 else f"{p.passed_on:g}·n·Var(W)"
    formula = formula if p.statistic == "variance" else f"√({formula})"
    rows = [f"| | {what}(A): × per layer going up | {what}(A): layer {L} ÷ layer 1 | {what}(δ): × per layer going "
            f"down | {what}(dW): max ÷ min over the layers |", "|---|---|---|---|---|"]
    for scheme in p.schemes:
        k = rep.predicted_factor(scheme)
        v = rep.at_init[scheme].activations
        rows.append(f"| **{INITIALIZERS[scheme].label}** | measured "
                    f"**{rep.measured_factor(scheme, 'activations'):.3f}**, theory {k:.3f} | measured **{number_text(v[-1] / v[0])}**, theory "
                    f"{number_text(k ** (L - 1))} | measured **{rep.measured_factor(scheme, 'deltas'):.3f}**, theory "
                    f"{k:.3f} | measured **{rep.spread(scheme, 'weight_grads'):.2f}**, theory 1 (level) |")
    against, proposed = p.schemes
    ratio = np.exp(np.mean(np.log(rep.at_init[against].weight_grads / rep.at_init[proposed].weight_grads)))
    word = "variance" if p.statistic == "variance" else "std"
    note = (f"Theory: a layer multiplies the {word} going up, and going down, by {formula}; the factors measured are "
            f"geometric means over the {L} layers. {what}(dW) with {INITIALIZERS[against].label} is about "
            f"{number_text(ratio)} × that with {INITIALIZERS[proposed].label}, but level all the same.")
    return ["\n".join(rows), note]


def training_finding(rep: Reproduction) -> str | None:
    """The loss curves' numbers in words (None when the paper trains nothing)."""
    if not rep.curves:
        return None
    parts = []
    for scheme in rep.paper.schemes:
        start, end = rep.loss_change(scheme)
        parts.append(f"{INITIALIZERS[scheme].label} {start:.3f} → **{end:.3f}** ({1 - end / start:.0%} lower)")
    return f"Training loss over {rep.paper.steps} steps: " + "; ".join(parts) + "."
