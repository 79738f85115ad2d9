"""Initialisation schemes side by side, and the symmetry a zero init never breaks.

`Comparison` builds one Trainer per scheme from the same config — same data, same seed, so the only
difference is how the first weights are drawn — and trains them in lockstep. The last presets are
papers' figures (papers.py): the lab shows their reproduction as well.

The symmetry demo: with every weight 0, all units of a hidden layer compute the same function, get
the same delta (delta[l] = delta[l+1] @ W[l+1].T * phi'(Z[l]), and the rows of W[l+1] are equal) and
so the same update: they stay identical for ever, and the layer works like a single unit. Its biases
decide what that one unit shows at the start: with tanh and bias 0 every hidden output is tanh(0) = 0,
so dW of the next layer (A.T @ delta) is 0 as well, and nothing but the output biases ever moves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp.run.config import Config
from mlp.engine.datasets import featurize, grid
from mlp.run.history import History
from mlp.run.trainer import Readout, Trainer
from mlp.lab.papers import PAPERS

# The classic comparison (deeplearning.ai, "Initializing neural networks"): too small, just right, too large.
DEFAULT_SCHEMES = ("small", "xavier_normal", "he_normal", "normal")
CHUNK = 10                  # steps between two points of a loss curve
LAB_BASE = Config(dataset="circle", n_samples=500, hidden=(32,) * 6, activation="tanh", optimizer="sgd",
                  lr=0.03, batch_size=25)


@dataclass(frozen=True)
class Preset:
    name: str
    label: str
    config: Config                  # the init field is ignored: the schemes say which inits to draw
    schemes: tuple[str, ...]
    story: str
    paper: bool = False             # a paper's figure, reproduced (papers.PAPERS[name])


PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset("tanh", "tanh, 6 layers: too small / right / too large", LAB_BASE,
           ("small", "xavier_normal", "normal"),
           "Small weights squeeze every layer's activations towards 0 (the signal dies out); N(0, 1) weights "
           "pile them up at ±1, where tanh is flat; Xavier keeps a spread through every layer."),
    Preset("relu", "ReLU, 6 layers: Xavier vs He", LAB_BASE.replace(activation="relu"),
           ("small", "xavier_normal", "he_normal", "normal"),
           "ReLU switches off half of the units, so with Xavier the activations' variance halves at every layer; "
           "He (twice the variance) keeps it roughly level, and N(0, 1) makes the spread grow about 4× per layer."),
    Preset("sigmoid", "Sigmoid, 6 layers: Xavier is not enough", LAB_BASE.replace(activation="sigmoid"),
           ("small", "xavier_normal", "uniform", "normal"),
           "Sigmoid's slope is at most ¼, so with Xavier (n_in·Var(W) ≈ 1) the error shrinks about 4× per layer "
           "on the way back and six layers barely learn; N(0, 1) weights make up for the ¼ and learn first. "
           "And sigmoid is centred on ½, not 0: with small weights every unit simply outputs ½."),
    *(Preset(p.name, p.label, p.config, p.schemes, p.claim, paper=True) for p in PAPERS.values()),
]}


class Comparison:
    """One Trainer per init scheme on the same data and seed; `train(n)` advances them all.

    Each scheme's training loss is recorded every CHUNK steps (bounded, thinned like mlp/run/history.py).
    """

    def __init__(self, config: Config, schemes):
        self.config = config
        self.schemes = tuple(schemes)
        self.trainers = {name: Trainer(config.replace(init=name)) for name in self.schemes}
        self.initial: dict[str, Readout] = {name: t.probe() for name, t in self.trainers.items()}
        self.initial_spread = {name: layer_spread(t) for name, t in self.trainers.items()}
        self._curves = {name: History({"step": (), "loss": ()}, 512) for name in self.schemes}
        for name, report in self.initial.items():
            self._curves[name].append(step=0, loss=report.train_loss)

    @property
    def step(self) -> int:
        return max((t.step for t in self.trainers.values()), default=0)

    def train(self, n_steps: int) -> None:
        """n_steps more for every scheme, in chunks of CHUNK (a diverged one stays where it stopped)."""
        for name, t in self.trainers.items():
            done = 0
            while done < n_steps and t.diverged_at is None:
                chunk = min(CHUNK, n_steps - done)
                report = t.run(chunk, signals=False)
                done += chunk
                if t.diverged_at is None:
                    self._curves[name].append(step=report.step, loss=report.train_loss)

    @property
    def seconds_per_step(self) -> float:
        """What one step of every scheme took, measured in their last runs."""
        return sum(t.seconds_per_step for t in self.trainers.values())

    @property
    def can_step_back(self) -> bool:
        return any(t.can_step_back for t in self.trainers.values())

    def back(self) -> None:
        """Every scheme exactly back to its state before its last run (the schemes stay in lockstep:
        each run of `train` started them all at the same step), their curves cut there."""
        for name, t in self.trainers.items():
            t.step_back()
            self._curves[name].drop_after(t.step)

    def spread(self) -> dict[str, np.ndarray]:
        """Scheme -> the std of each hidden layer's activations at its current weights."""
        return {name: layer_spread(t) for name, t in self.trainers.items()}

    def curve(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(steps, training loss) recorded so far for one scheme."""
        h = self._curves[name]
        return h.column("step"), h.column("loss")

    def diverged(self) -> dict[str, int]:
        """Scheme -> the step at which its training overflowed, for those that did."""
        return {name: t.diverged_at for name, t in self.trainers.items() if t.diverged_at is not None}


def layer_spread(trainer: Trainer) -> np.ndarray:
    """The std of each hidden layer's activations over the training set, at the current weights."""
    outputs = trainer.net.layer_outputs(trainer.X_train)[:-1]
    with np.errstate(all="ignore"):
        return np.array([float(np.std(a.astype(np.float64))) for a in outputs])


def hidden_histograms(report: Readout) -> tuple[np.ndarray, np.ndarray]:
    """(counts (L-1, B), edges (L-1, B+1)) of the hidden layers' activations (the output left out)."""
    s = report.signals
    return s.activation_hist[:-1], s.activation_edges[:-1]


# -- symmetry ------------------------------------------------------------------------------------
# Moons with tanh: a zero-init net still learns (its identical units find one shared boundary), so the
# student sees identical *non-trivial* pictures, and random init then does visibly better.
SYMMETRY_BASE = Config(dataset="moons", hidden=(4, 4), activation="tanh", bias_init=0.5, lr=0.3,
                       optimizer="sgd", batch_size=10)
SYMMETRY_STEPS = 200          # per click


def symmetry_config(init: str, seed: int = 0) -> Config:
    return SYMMETRY_BASE.replace(init=init, seed=seed)


def neuron_grids(trainer: Trainer, resolution: int = 24) -> list[np.ndarray]:
    """Each hidden layer's units over the input plane: a list of (n_l, resolution, resolution) arrays."""
    _, _, points = grid(resolution)
    inputs = featurize(points, trainer.config.features, trainer.net.dtype)
    return [a.T.reshape(-1, resolution, resolution) for a in trainer.net.layer_outputs(inputs)[:-1]]


def identical_units(layer_grids: np.ndarray) -> bool:
    """Do all units of one layer show exactly the same picture (bit for bit)?"""
    return all(np.array_equal(layer_grids[0], g) for g in layer_grids[1:])


def unit_difference(layer_grids: np.ndarray) -> float:
    """The largest |unit j - unit 1| anywhere on the plane: 0 exactly when the units are identical."""
    g = np.asarray(layer_grids, np.float64)
    return float(np.max(np.abs(g - g[:1]))) if len(g) > 1 else 0.0


def symmetry_summary(trainer: Trainer) -> str:
    """What the network view shows, in words, from the numbers."""
    grids = neuron_grids(trainer)
    parts = []
    for l, g in enumerate(grids, start=1):
        spread = float(np.ptp(g[0]))
        if identical_units(g):
            look = "a flat colour" if spread < 1e-6 else f"the same picture (range {spread:.2g} over the plane)"
            parts.append(f"layer {l}: all {len(g)} units identical, each showing {look}")
        else:
            parts.append(f"layer {l}: the units differ (by up to {unit_difference(g):.2g})")
    return "; ".join(parts) + "."
