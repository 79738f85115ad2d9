"""Every setting of a run, in one validated, immutable config.

`FIELDS` is the one table that names a setting: its URL key (= attribute name), kind, default,
allowed range or choices, label and help text. Validation, the URL's query params, JSON and the UI's
widgets all read it. Choices come from the engine's registries, so a new activation or initializer
appears everywhere by being registered.

Limits keep a shared server safe: a run's cost grows with depth × width² × samples, so those are
capped (MAX_HIDDEN_LAYERS deep enough for vanishing-gradient demos, MAX_WIDTH, MAX_SAMPLES).
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from typing import Any, Callable

from mlp.run import bounded_json
from mlp.engine.activations import ACTIVATIONS
from mlp.engine.checks import describe, listed
from mlp.engine.datasets import DATASETS, FEATURES, OUTPUT_RESOLUTION
from mlp.engine.initializers import INITIALIZERS
from mlp.engine.optimizers import OPTIMIZERS
from mlp.engine.outputs import OUTPUTS
from mlp.engine.schedules import SCHEDULES

MAX_HIDDEN_LAYERS = 40
MAX_WIDTH = 256
MAX_SAMPLES = 2000
MAX_SEED = 2**31 - 1
# One run's cost: its weights × the points it is evaluated on (its own and the output picture's grid,
# every frame). The limits above each allow 40 layers × 256 units × 2,000 points, which kept about
# 380 MB per session; this budget keeps the heaviest allowed run near 30 MB and 10 ms a step, so a
# room of thirty fits in one worker with room to spare (bench/heavy_link.py measures both). It admits
# 5 layers of 256 at 500 points (the variance demos) and every lab preset.
MAX_COST = 3_000_000_000
GRID_POINTS = OUTPUT_RESOLUTION**2
REGULARIZATIONS = {"none": "None", "l1": "L1", "l2": "L2"}


@dataclass(frozen=True)
class Field:
    key: str
    kind: str                     # "choice", "int", "float", "bool", "ints" (list), "names" (list)
    default: Any
    label: str
    help: str
    lo: float | None = None       # range for numbers, and for each item of "ints"
    hi: float | None = None
    choices: Callable[[], dict[str, str]] | None = None   # key -> what the UI shows
    max_items: int | None = None  # for lists


def _labels(registry) -> Callable[[], dict[str, str]]:
    return lambda: {name: item.label for name, item in registry.items()}


FIELDS: tuple[Field, ...] = (
    # -- data
    Field("dataset", "choice", "circle", "Dataset", "Which toy problem to learn.", choices=_labels(DATASETS)),
    Field("noise", "float", 0.0, "Noise", "How much the points are scattered (0 to 0.5, i.e. 0–50%).", 0.0, 0.5),
    Field("train_fraction", "float", 0.5, "Training share",
          "The share of points the net trains on; the rest test it (0.1 to 0.9).", 0.1, 0.9),
    Field("n_samples", "int", 500, "Points", f"How many points to generate (20 to {MAX_SAMPLES}).", 20, MAX_SAMPLES),
    Field("n_classes", "int", 3, "Classes", "How many classes the multi-class set has (3 to 5).", 3, 5),
    Field("data_seed", "int", 0, "Data seed", "Picks the random points; the same seed gives the same data.",
          0, MAX_SEED),
    Field("features", "names", ("x1", "x2"), "Input features",
          "Which functions of the point (x1, x2) the net sees as inputs.", choices=_labels(FEATURES),
          max_items=len(FEATURES)),
    # -- network
    Field("hidden", "ints", (4, 2), "Hidden layers",
          f"The width of each hidden layer (1 to {MAX_WIDTH} units; up to {MAX_HIDDEN_LAYERS} layers).",
          1, MAX_WIDTH, max_items=MAX_HIDDEN_LAYERS),
    Field("activation", "choice", "tanh", "Activation", "The non-linearity of every hidden unit.",
          choices=_labels(ACTIVATIONS)),
    Field("output", "choice", "softmax", "Output", "The output layer and its loss.", choices=_labels(OUTPUTS)),
    Field("init", "choice", "xavier_normal", "Initialization", "How the starting weights are drawn.",
          choices=_labels(INITIALIZERS)),
    Field("init_gain", "float", 1.0, "Init gain",
          "Multiplies every starting weight (0.01 to 10): below 1 shrinks the signal, above 1 grows it.", 0.01, 10.0),
    Field("bias_init", "float", 0.0, "Bias init",
          "The starting value of every bias (-1 to 1); 0.01 keeps ReLU units alive at the start.", -1.0, 1.0),
    Field("seed", "int", 0, "Weight seed",
          "Picks the starting weights, dropout and batch order; the same seed gives the same run.", 0, MAX_SEED),
    # -- training
    Field("optimizer", "choice", "sgd", "Optimizer",
          "How the gradient g turns into a weight update. SGD: w −= lr·g. Momentum: v = β·v + g, w −= lr·v "
          "(heavy ball, as PyTorch's SGD with momentum). Adam: bias-corrected moments, "
          "w −= lr·m̂ / (√v̂ + 10⁻⁸).",
          choices=_labels(OPTIMIZERS)),
    Field("lr", "float", 0.03, "Learning rate", "The step size (0.00001 to 10).", 1e-5, 10.0),
    Field("momentum", "float", 0.9, "Momentum",
          "β in v = β·v + g, w −= lr·v: how much of the last step carries over (0 to 0.999).", 0.0, 0.999),
    Field("beta1", "float", 0.9, "Adam β₁", "Adam's memory of the gradient (0 to 0.999).", 0.0, 0.999),
    Field("beta2", "float", 0.999, "Adam β₂", "Adam's memory of the squared gradient (0 to 0.9999).", 0.0, 0.9999),
    Field("schedule", "choice", "constant", "LR schedule", "How the learning rate changes over training.",
          choices=_labels(SCHEDULES)),
    Field("schedule_period", "int", 500, "Schedule period", "Steps per decay or cycle (1 to 100000).", 1, 100_000),
    Field("schedule_factor", "float", 0.5, "Schedule factor",
          "How far the rate falls per period, or the bottom of a cycle, as a fraction (0.001 to 1).", 0.001, 1.0),
    Field("batch_size", "int", 10, "Batch size",
          f"Points per step (1 to {MAX_SAMPLES}); at or above the training set size it is full batch.",
          1, MAX_SAMPLES),
    Field("regularization", "choice", "none", "Regularization",
          "A penalty on large weights, added to the mean data loss: L2 λ/2·ΣW² (adds λ·W to the gradient, "
          "like PyTorch's weight_decay), L1 λ·Σ|W| (adds λ·sign(W)). Weights only: biases are exempt. The "
          "plotted losses are the data loss; the page shows the penalty beside them.",
          choices=lambda: dict(REGULARIZATIONS)),
    Field("reg_rate", "float", 0.001, "Regularization rate",
          "λ, the penalty's strength (0 to 10, TensorFlow Playground's range).", 0.0, 10.0),
    Field("dropout", "float", 0.0, "Dropout",
          "The chance each hidden unit is switched off in a training step (0 to 0.9).", 0.0, 0.9),
    Field("clip_norm", "float", 0.0, "Gradient clipping",
          "Rescale the gradient when its norm is above this (0 = off, up to 1000).", 0.0, 1000.0),
    # -- when to stop by itself
    Field("tripwire", "float", 0.0, "Gradient tripwire",
          "Pause at the first step where some layer's gradient norm ‖dW‖ is above this (0 = off, up to 1e6).",
          0.0, 1e6),
    Field("target_loss", "float", 0.0, "Stop at loss",
          "Pause once the training loss is at or below this (0 = off, up to 10).", 0.0, 10.0),
)
FIELD = {f.key: f for f in FIELDS}


class ConfigError(ValueError):
    """Every problem with a set of settings, each a sentence a student can act on."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _range_text(f: Field) -> str:
    return f"{describe(f.lo)}–{describe(f.hi)}"


def _check_field(f: Field, value) -> list[str]:
    """Problems with one value that is already of the field's Python type; each a bounded sentence."""
    name = f.label.lower()
    if f.kind == "choice":
        options = f.choices()
        return [] if value in options else [f"{name} must be one of {', '.join(options)}; got {describe(value)}"]
    if f.kind in ("int", "float"):
        if isinstance(value, float) and not math.isfinite(value):
            return [f"{name} must be a finite number; got {describe(value)}"]
        return [] if f.lo <= value <= f.hi else [f"{name} must be {_range_text(f)}, got {describe(value)}"]
    if f.kind == "ints":
        problems = []
        bad = [describe(w) for w in value if not f.lo <= w <= f.hi]
        if bad:
            problems.append(f"layer width must be {_range_text(f)}, got {listed(bad)}")
        if len(value) > f.max_items:
            problems.append(f"at most {f.max_items} hidden layers, got {len(value)}")
        return problems
    if f.kind == "names":
        options = f.choices()
        problems = []
        unknown = [describe(v) for v in dict.fromkeys(value) if v not in options]
        if unknown:
            problems.append(f"unknown {name[:-1]} {listed(unknown)} (choose from {', '.join(options)})")
        if not value:
            problems.append("choose at least one input feature")
        elif len(set(value)) != len(value):
            problems.append(f"{name} lists one twice")
        return problems
    return []


@dataclass(frozen=True)
class Config:
    dataset: str = FIELD["dataset"].default
    noise: float = FIELD["noise"].default
    train_fraction: float = FIELD["train_fraction"].default
    n_samples: int = FIELD["n_samples"].default
    n_classes: int = FIELD["n_classes"].default
    data_seed: int = FIELD["data_seed"].default
    features: tuple[str, ...] = FIELD["features"].default
    hidden: tuple[int, ...] = FIELD["hidden"].default
    activation: str = FIELD["activation"].default
    output: str = FIELD["output"].default
    init: str = FIELD["init"].default
    init_gain: float = FIELD["init_gain"].default
    bias_init: float = FIELD["bias_init"].default
    seed: int = FIELD["seed"].default
    optimizer: str = FIELD["optimizer"].default
    lr: float = FIELD["lr"].default
    momentum: float = FIELD["momentum"].default
    beta1: float = FIELD["beta1"].default
    beta2: float = FIELD["beta2"].default
    schedule: str = FIELD["schedule"].default
    schedule_period: int = FIELD["schedule_period"].default
    schedule_factor: float = FIELD["schedule_factor"].default
    batch_size: int = FIELD["batch_size"].default
    regularization: str = FIELD["regularization"].default
    reg_rate: float = FIELD["reg_rate"].default
    dropout: float = FIELD["dropout"].default
    clip_norm: float = FIELD["clip_norm"].default
    tripwire: float = FIELD["tripwire"].default
    target_loss: float = FIELD["target_loss"].default

    def __post_init__(self):
        # normalise types once (lists to tuples, ints given as floats) so equal settings compare equal
        for f in FIELDS:
            value = getattr(self, f.key)
            try:
                value = _coerce(f, value)
            except (TypeError, ValueError):
                raise ConfigError([f"{f.label.lower()} has the wrong type: {describe(value)}"]) from None
            object.__setattr__(self, f.key, value)
        problems = [p for f in FIELDS for p in _check_field(f, getattr(self, f.key))]
        problems = problems or self._cross_field_problems()     # settings that fit together, once each is valid
        if problems:
            raise ConfigError(problems)

    def _cross_field_problems(self) -> list[str]:
        return self._output_problems() + self._cost_problems()

    def _cost_problems(self) -> list[str]:
        if self.dataset not in DATASETS or self.output not in OUTPUTS:
            return []
        if self.cost <= MAX_COST:
            return []
        most = MAX_COST // (self.n_samples + GRID_POINTS)
        return [f"this run is too big for a shared server: {self.n_weights:,} weights, evaluated on "
                f"{self.n_samples:,} points and the output's {GRID_POINTS:,}, is over the limit of "
                f"{MAX_COST:,}; use fewer or narrower hidden layers (at most {most:,} weights), or fewer points"]

    def _output_problems(self) -> list[str]:
        problem = DATASETS[self.dataset].problem if self.dataset in DATASETS else None
        out = OUTPUTS.get(self.output)
        if problem is None or out is None:
            return []
        if out.problem != problem:
            wanted = "linear" if problem == "regression" else "softmax or sigmoid"
            return [f"the {self.dataset} set is a {problem} problem: choose the {wanted} output"]
        if self.output == "sigmoid" and self.n_output_classes > 2:
            return [f"a sigmoid output separates two classes; the {self.dataset} set has "
                    f"{self.n_output_classes}: choose softmax"]
        return []

    # -- derived ---------------------------------------------------------------------------------
    @property
    def problem(self) -> str:
        return DATASETS[self.dataset].problem

    @property
    def n_output_classes(self) -> int:
        """Classes of the chosen set (the multi-class set takes n_classes), 0 for regression."""
        spec = DATASETS[self.dataset]
        return self.n_classes if spec.classes_from_config else spec.n_classes

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        n_out = 1 if self.output in ("sigmoid", "linear") else self.n_output_classes
        return (len(self.features), *self.hidden, n_out)

    @property
    def n_weights(self) -> int:
        """Weights and biases of the net: sum over layers of (n_in + 1) · n_out."""
        sizes = self.layer_sizes
        return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))

    @property
    def cost(self) -> int:
        """What the cost cap limits: weights × (the run's points + the output grid's points)."""
        return self.n_weights * (self.n_samples + GRID_POINTS)

    def replace(self, **changes) -> "Config":
        return dataclasses.replace(self, **changes)

    def changed(self, **changes) -> "Config":
        """replace, as a person means a change: a new data set of the other kind (classes <-> regression)
        comes with its natural output unless the change names one. Raises ConfigError."""
        dataset = changes.get("dataset")
        if (dataset in DATASETS and "output" not in changes and self.dataset in DATASETS
                and DATASETS[dataset].problem != self.problem):
            changes["output"] = natural_output(dataset)
        return self.replace(**changes)

    # -- URL query params and JSON ----------------------------------------------------------------
    def to_query(self) -> dict[str, str]:
        """A flat dict of strings, one per field, that from_query turns back into this config exactly."""
        return {f.key: _to_text(f, getattr(self, f.key)) for f in FIELDS}

    @classmethod
    def from_query(cls, params: dict[str, str]) -> "Config":
        """Parse query params (unknown keys ignored, missing ones default); raise ConfigError."""
        values, problems = _parse_params(params)
        if problems:
            raise ConfigError(problems)
        return cls(**values)

    @classmethod
    def from_query_lenient(cls, params: dict[str, str], base: "Config | None" = None) -> tuple["Config", list[str]]:
        """Like from_query, but a bad value falls back to its default and is reported, never raised.

        For hand-edited links: keep every setting that is valid, say what was dropped. `base` gives
        the settings the link leaves out (default: the defaults), e.g. a lab's preset.
        """
        base = base or cls()
        values, problems = _parse_params(params)    # each kept value is valid on its own
        try:
            # as a person means it (Config.changed): a link naming a regression set and no output
            # gets that set's natural output, with nothing to report
            return base.changed(**values), problems
        except ConfigError as err:
            problems += err.problems
        # what is left is a mismatch between settings: an output that does not suit the data set, or a
        # net too big for its points. Give up as little of the link as it takes.
        for dropped in LENIENT_FALLBACKS:
            tried = {k: v for k, v in values.items() if k not in dropped}
            if "output" in dropped:
                tried["output"] = natural_output(tried.get("dataset", base.dataset))
            try:
                config = base.replace(**tried)
            except ConfigError:
                continue
            kept = [f"the {config.output} output" if k == "output" else
                    f"{FIELD[k].label.lower()} {_to_text(FIELD[k], getattr(config, k))}" for k in dropped]
            return config, problems + [f"using {' and '.join(kept)} instead"]
        return base, problems + ["the settings did not fit together, so the page's starting settings are used"]

    def to_json(self) -> str:
        return json.dumps({f.key: getattr(self, f.key) for f in FIELDS}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "Config":
        try:
            data = bounded_json.loads(text)
        except bounded_json.JSONBoundsError as err:     # deep, huge or broken JSON: one sentence, no traceback
            raise ConfigError([f"the settings cannot be read: {err}"]) from None
        if not isinstance(data, dict):
            raise ConfigError(["the file must hold one JSON object of settings"])
        unknown = sorted(set(data) - set(FIELD))
        if unknown:
            raise ConfigError([f"unknown setting {listed([describe(k) for k in unknown])} (the settings are {', '.join(FIELD)})"])
        return cls(**data)


# What a lenient reading gives up, in order, when the link's valid values do not fit together.
LENIENT_FALLBACKS = (("output",), ("hidden",), ("n_samples",), ("output", "hidden"), ("hidden", "n_samples"),
                     ("output", "hidden", "n_samples"))


def natural_output(dataset: str) -> str:
    """The output a data set is usually trained with: softmax for classes, linear for regression."""
    return "linear" if DATASETS[dataset].problem == "regression" else "softmax"


def value_problems(params) -> list[str]:
    """What is wrong with each given value on its own, as from_query reads it before the settings meet
    ([] when each reads); unknown keys are not looked at. For a reader that names the line of each."""
    return _parse_params(params)[1]


def _coerce(f: Field, value):
    if f.kind == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError
        return int(value)
    if f.kind == "float":
        if isinstance(value, bool):
            raise TypeError
        return float(value)
    if f.kind == "ints":
        return tuple(_coerce(Field("", "int", 0, "", ""), v) for v in value)
    if f.kind == "names":
        if isinstance(value, str):
            raise TypeError
        return tuple(str(v) for v in value)
    if not isinstance(value, str):
        raise TypeError
    return value


def _to_text(f: Field, value) -> str:
    if f.kind in ("ints", "names"):
        return ",".join(str(v) for v in value)
    if f.kind == "float":
        return repr(float(value))     # repr round-trips a float exactly
    return str(value)


def _from_text(f: Field, text: str):
    text = text.strip()
    if f.kind == "int":
        return int(text)
    if f.kind == "float":
        return float(text)
    if f.kind == "ints":
        return tuple(int(t) for t in text.split(",")) if text else ()
    if f.kind == "names":
        return tuple(t.strip() for t in text.split(",")) if text else ()
    return text


def _parse_params(params) -> tuple[dict, list[str]]:
    values, problems = {}, []
    for f in FIELDS:
        if f.key not in params:
            continue
        raw = params[f.key]
        if isinstance(raw, (list, tuple)):      # a repeated query key: the last one wins, as in browsers
            raw = raw[-1] if raw else ""
        raw = str(raw)
        if len(raw) > 2000:
            problems.append(f"{f.label.lower()} is far too long")
            continue
        try:
            value = _coerce(f, _from_text(f, raw))
        except (TypeError, ValueError, OverflowError):
            kind = {"int": "a whole number", "float": "a number", "ints": "whole numbers separated by commas"}
            problems.append(f"{f.label.lower()} must be {kind.get(f.kind, 'a name')}; got {describe(raw)}")
            continue
        field_problems = _check_field(f, value)
        if field_problems:
            problems += field_problems
            continue
        values[f.key] = value
    return values, problems
