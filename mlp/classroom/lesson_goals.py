"""A lesson step's goal, and whether a run has met it: a pure judgement on a run's numbers.

A goal asks for a test loss at most x and / or a test accuracy at least y, optionally within n steps
and with at most k hidden neurons (the sum of the hidden widths) or k input features. It is judged
on the run's own test set: the one the step's data settings make, so a run on other data (another
data set, noise, share, seed or number of points) has not met it, as on the class wall's challenge.
A run that has diverged has not met it either (its numbers are the last good weights', not its own).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from mlp.notation import number_text
from mlp.run.config import Config
from mlp.run.trainer import Readout, Trainer

# The settings that make the test set: a goal is about the step's data, whatever else the student changes.
DATA_KEYS = ("dataset", "noise", "train_fraction", "n_samples", "n_classes", "data_seed")


@dataclass(frozen=True)
class Goal:
    test_loss: float | None = None          # met when the test loss is at most this
    test_accuracy: float | None = None      # met when the test accuracy is at least this (0..1)
    within_steps: int | None = None         # ... by this step at the latest
    max_hidden_neurons: int | None = None   # ... with at most this many hidden units in all
    max_features: int | None = None         # ... and at most this many input features
    data: tuple[tuple[str, str], ...] = ()  # (key, text) of the step's data settings, DATA_KEYS

    def describe(self) -> str:
        """The goal in one line, as the student reads it: "test loss ≤ 0.1 and test accuracy ≥ 95%
        within 1,000 steps, with at most 4 hidden neurons"."""
        wants = []
        if self.test_loss is not None:
            wants.append(f"test loss ≤ {figure(self.test_loss)}")
        if self.test_accuracy is not None:
            wants.append(f"test accuracy ≥ {_percent(self.test_accuracy)}")
        text = " and ".join(wants)
        if self.within_steps is not None:
            text += f" within {self.within_steps:,} steps"
        caps = []
        if self.max_hidden_neurons is not None:
            caps.append("no hidden neurons" if self.max_hidden_neurons == 0
                        else f"at most {self.max_hidden_neurons} hidden neuron{'s' * (self.max_hidden_neurons != 1)}")
        if self.max_features is not None:
            caps.append(f"at most {self.max_features} input feature{'s' * (self.max_features != 1)}")
        return text + (", with " + " and ".join(caps) if caps else "")


def _percent(x: float) -> str:
    return f"{100 * x:.4g}%"


def figure(x: float) -> str:
    """A loss for a projector: four significant digits (0.08312), so a number just over its bound does not
    read as the bound; never e-notation (outside 10⁻⁴…10⁴ as mlp/notation.py writes it: 3.2·10⁻⁶)."""
    return f"{x:.4g}" if 1e-4 <= abs(x) < 1e4 else number_text(x)


@dataclass(frozen=True)
class Check:
    """One condition of a goal: what it asks, what the run has, whether that is enough."""
    name: str          # "test loss", "test accuracy", "steps", "hidden neurons", "features", "data", "diverged"
    wanted: str        # e.g. "≤ 0.1"
    got: str           # e.g. "0.0831"
    ok: bool

    def __str__(self) -> str:
        return f"{self.name} {self.got} {'✓' if self.ok else '✗'} (wanted {self.wanted})"


@dataclass(frozen=True)
class Verdict:
    met: bool
    checks: tuple[Check, ...]

    @property
    def why(self) -> str:
        """The numbers, one phrase per condition, the failing ones first."""
        ordered = sorted(self.checks, key=lambda c: c.ok)
        return "; ".join(map(str, ordered))


def judge(goal: Goal, config: Config, readout: Readout) -> Verdict:
    """Whether the run that `config` describes, read at `readout` (its Trainer's last `run` or `probe`),
    has met `goal`; the checks say why, with the numbers."""
    checks = []
    if readout.diverged_at is not None:
        checks.append(Check("diverged", "no", f"at step {readout.diverged_at:,}", False))
    if goal.test_loss is not None:
        checks.append(Check("test loss", f"≤ {figure(goal.test_loss)}", figure(readout.test_loss),
                            bool(readout.test_loss <= goal.test_loss)))     # NaN is never ≤
    if goal.test_accuracy is not None:
        if config.problem == "classification":
            checks.append(Check("test accuracy", f"≥ {_percent(goal.test_accuracy)}",
                                _percent(readout.test_metric), bool(readout.test_metric >= goal.test_accuracy)))
        else:
            checks.append(Check("test accuracy", f"≥ {_percent(goal.test_accuracy)}",
                                f"none (the {config.dataset} set is regression)", False))
    if goal.within_steps is not None:
        checks.append(Check("steps", f"≤ {goal.within_steps:,}", f"{readout.step:,}",
                            readout.step <= goal.within_steps))
    if goal.max_hidden_neurons is not None:
        neurons = sum(config.hidden)
        checks.append(Check("hidden neurons", f"≤ {goal.max_hidden_neurons}", str(neurons),
                            neurons <= goal.max_hidden_neurons))
    if goal.max_features is not None:
        checks.append(Check("features", f"≤ {goal.max_features}", str(len(config.features)),
                            len(config.features) <= goal.max_features))
    if goal.data:
        mine = config.to_query()
        other = [f"{k}={mine[k]} instead of {v}" for k, v in goal.data if mine[k] != v]
        checks.append(Check("data", "the step's", ", ".join(other) if other else "the step's", not other))
    return Verdict(all(c.ok for c in checks), tuple(checks))


def first_met(goal: Goal, config: Config, history, latest: Readout, after_step: int) -> Readout | None:
    """The first point of a run after `after_step` at which it met `goal`: from its recorded history
    (`history`: its Trainer's History, steps ascending), then `latest`, its last readout; as a Readout of
    that point (`latest` with that point's step, test loss and test metric), or None when none did.

    A playing page trains a batch of frames between two looks (up to hundreds of steps), so a goal met
    at step 250 "within 300 steps" is found here although the page looks next at step 550. The history
    keeps every other frame's numbers (as float32): a goal met only between two records is found at the
    next record, as a look would."""
    steps, losses, metrics = history.column("step"), history.column("test_loss"), history.column("test_metric")
    for i in range(len(steps)):
        if not after_step < steps[i] <= latest.step:
            continue
        point = replace(latest, step=int(steps[i]), test_loss=float(losses[i]), test_metric=float(metrics[i]),
                        diverged_at=None)
        if judge(goal, config, point).met:
            return point
    return latest if latest.step > after_step and judge(goal, config, latest).met else None


TRY_BUDGET = 5000       # steps a goal without its own budget is tried for
TRY_EVERY = 25          # steps between judgements, about what a playing page trains between two frames


def try_goal(goal: Goal, config: Config, every: int = TRY_EVERY) -> tuple[Verdict, int]:
    """Train `config` from its start towards `goal`, judging every `every` steps, until it is met, the run
    diverges or the budget (the goal's within_steps, else TRY_BUDGET) is spent: (the last verdict, steps
    taken). What `python -m mlp lesson check --train` does with each step's solution."""
    budget = goal.within_steps or TRY_BUDGET
    trainer = Trainer(config)
    verdict = judge(goal, config, trainer.probe())
    while not verdict.met and trainer.step < budget:
        readout = trainer.run(min(every, budget - trainer.step), signals=False)
        verdict = judge(goal, config, readout)
        if readout.diverged_at is not None:
            break
    return verdict, trainer.step
