"""Compare: two configurations trained side by side on the same data from the same seed.

A comparison is a base config (everything shared: data, noise, seeds, batch size...) and, per side,
a few changes to it from SIDE_FIELDS. Both trainers are built from the same base, so they see the
same points in the same order and start from the same random draws: whatever differs between the
two curves comes from the side settings alone.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from mlp.run.config import FIELD, Config
from mlp.run.trainer import Readout, Trainer

SIDES = ("A", "B")
SIDE_FIELDS = ("activation", "init", "optimizer", "lr", "hidden")   # what may differ between A and B
SHARED_FIELDS = ("dataset", "noise", "n_samples", "data_seed", "seed", "batch_size")   # the page offers these


@dataclass(frozen=True)
class Preset:
    base: dict                       # changes to Config() shared by both sides
    a: dict                          # side A's changes to the base
    b: dict
    note: str                        # what to look for, one sentence


PRESETS: dict[str, Preset] = {
    "sigmoid vs ReLU": Preset(
        {"hidden": (6, 6, 6), "lr": 0.1}, {"activation": "sigmoid"}, {"activation": "relu"},
        "Sigmoid's slope is at most 1/4, so the gradient shrinks at every layer on the way back: its first "
        "layers barely learn, while ReLU's gradient reaches them whole."),
    "lr 0.03 vs 3": Preset(
        {"dataset": "plane", "output": "linear"}, {"lr": 0.03}, {"lr": 3.0},
        "On a regression set a step 100 times larger overshoots further each time, until the numbers "
        "overflow: B diverges while A learns."),
    "Xavier vs N(0,1)": Preset(
        {"hidden": (8, 8, 8, 8, 8, 8)}, {"init": "xavier_normal"}, {"init": "normal"},
        "Weights of variance 1 make every tanh unit saturate from the start; Xavier's 2 / (n_in + n_out) keeps "
        "the signal in the range where tanh still has a slope."),
    "SGD vs Adam": Preset(
        {"hidden": (8, 8)}, {"optimizer": "sgd"}, {"optimizer": "adam"},
        "Adam scales each weight's step by the size of its recent gradients, so small gradients still "
        "make progress."),
}
DEFAULT_PRESET = "sigmoid vs ReLU"


def side_config(base: Config, changes: dict) -> Config:
    """The base with one side's changes; only SIDE_FIELDS may change (ConfigError if invalid)."""
    unknown = sorted(set(changes) - set(SIDE_FIELDS))
    if unknown:
        raise ValueError(f"a side can only change {', '.join(SIDE_FIELDS)}; not {', '.join(unknown)}")
    return base.replace(**changes)


def make_pair(base: Config, a: dict, b: dict) -> tuple[Trainer, Trainer]:
    """Two trainers from the same data settings and seeds, so the same points in the same batch order.

    Raises ConfigError (an invalid setting) or ValueError (a side changing a shared setting).
    """
    return Trainer(side_config(base, a)), Trainer(side_config(base, b))


@dataclass
class Pair:
    """A comparison in progress: the settings, the two trainers and what each last reported."""
    base: Config
    sides: dict[str, dict]                           # "A" / "B" -> that side's changes to the base
    trainers: dict[str, Trainer] = field(default_factory=dict)
    reports: dict[str, Readout | None] = field(default_factory=dict)

    def __post_init__(self):
        if not self.trainers:
            self.rebuild()

    @classmethod
    def from_preset(cls, name: str) -> "Pair":
        p = PRESETS[name]
        return cls(Config(**p.base), {"A": dict(p.a), "B": dict(p.b)})

    def config(self, side: str) -> Config:
        return self.trainers[side].config

    def rebuild(self) -> None:
        """Both trainers from step 0 (same data, same initial draws)."""
        a, b = make_pair(self.base, self.sides["A"], self.sides["B"])
        self.trainers = {"A": a, "B": b}
        self.reports = {"A": None, "B": None}

    def with_changes(self, side: str | None, **changes) -> "Pair":
        """A new pair with changed settings: of one side (`side` "A"/"B") or shared (`side` None).

        Raises ConfigError / ValueError and leaves this pair as it was when the change is invalid.
        """
        if side is None:
            base = self.base.replace(**changes)
            # a side's own settings still override the new base
            return Pair(base, {s: dict(v) for s, v in self.sides.items()})
        sides = {s: dict(v) for s, v in self.sides.items()}
        sides[side].update(changes)
        return Pair(self.base, sides)

    def train(self, n_steps: int, chunk: int | None = None) -> dict[str, Readout]:
        """n_steps on each side (a diverged side takes none; the other carries on).

        `chunk`: train in runs of that many steps, each recording a point of the loss curves.
        A side that took no step keeps the gradient signals of its last report.
        """
        chunk = chunk or n_steps
        for s, t in self.trainers.items():
            last = self.reports.get(s)
            for start in range(0, n_steps, chunk):
                report = t.run(min(chunk, n_steps - start))
                if report.signals is None and last is not None:
                    report = dataclasses.replace(report, signals=last.signals)
                last = report
            self.reports[s] = last
        return self.reports

    @property
    def can_step_back(self) -> bool:
        return any(t.can_step_back for t in self.trainers.values())

    def back(self) -> None:
        """Each side exactly back to its state before its last run (a side that diverged, to its last
        good one); what they report is measured afresh."""
        for t in self.trainers.values():
            t.step_back()
        self.reports = {s: None for s in self.trainers}

    @property
    def seconds_per_step(self) -> float:
        """What one step of both sides took, measured in their last runs."""
        return sum(t.seconds_per_step for t in self.trainers.values())

    def probe(self) -> dict[str, Readout]:
        """Reports (with gradient norms) without training, where there are none for the current step."""
        for s, t in self.trainers.items():
            r = self.reports.get(s)
            if r is None or r.step != t.step or r.signals is None:
                self.reports[s] = t.probe()
        return self.reports

    @property
    def diverged(self) -> dict[str, int | None]:
        return {s: t.diverged_at for s, t in self.trainers.items()}

    def last_good(self, side: str) -> tuple[int, float, np.ndarray] | None:
        """(step, training loss, ‖dW‖ per layer) of the side's last recorded step whose numbers were all
        finite: what a diverged side shows instead of ∞. None before any such record."""
        h = self.trainers[side].history
        loss, norms = h.column("train_loss"), h.column("grad_norm")
        good = np.flatnonzero(np.isfinite(loss) & np.isfinite(norms).all(axis=1))
        if not good.size:
            return None
        i = good[-1]
        return int(h.column("step")[i]), float(loss[i]), np.asarray(norms[i], np.float64)

    def same_data(self) -> bool:
        a, b = self.trainers["A"], self.trainers["B"]
        return bool(np.array_equal(a.X_train, b.X_train) and np.array_equal(a.Y_train, b.Y_train))


def describe(config: Config) -> str:
    """A side's own settings in a line, e.g. "Sigmoid · Xavier (Glorot) normal · SGD, lr 0.1 · 2-6-6-6-2"."""
    act, init, opt = (FIELD[k].choices()[getattr(config, k)] for k in ("activation", "init", "optimizer"))
    return f"{act} · {init} · {opt}, lr {config.lr:g} · {'-'.join(map(str, config.layer_sizes))}"
