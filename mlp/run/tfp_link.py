"""TensorFlow Playground's links, read as this app's settings and written back from them.

TensorFlow Playground keeps its whole state in the address's fragment
(`playground.tensorflow.org/#activation=tanh&batchSize=10&dataset=circle&…`, its src/state.ts): every
key written out, values as plain text, booleans "true"/"false", `networkShape` the hidden widths
("" = no hidden layer), `noise` and `percTrainData` in percent, `seed` any string, and `<control>_hide`
keys that hide a control of its page.

`read(params)` turns such params (a dict of text) into this app's query params, the two view toggles
and a line for everything the app cannot take over or had to replace; `write(config, ...)` is the way
back, naming what TensorFlow Playground cannot express. Pure Python: the page glue is
mlp/ui/tfp_link_panel.py, the command line's `--tfp` uses it too.

Choices the link leaves to us, made as a TensorFlow Playground user would expect:
- its classification output is one tanh unit trained on squared error against ±1; the closest here is one
  sigmoid unit with cross-entropy (the same single unit, the same decision boundary at 0 / 0.5);
- a link gets TensorFlow Playground's own start: weights U(-0.5, 0.5) (init "tfp_uniform"), biases 0.1,
  or all zeros with `initZero`; its fixed 500 points (classification) or 1,200 (regression);
- the seed string gives both of this app's seeds (data and weights) through SHA-256, so the same link
  is the same run; a seed this app wrote ("mlp-<data seed>-<weight seed>") is read back as those seeds;
- booleans are read as TensorFlow Playground reads them: anything but "false" is true.
"""
from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import unquote

from mlp.run.config import FIELD, MAX_SEED, Config
from mlp.engine.datasets import FEATURES as FEATURE_NAMES      # this app's order, which its configs use

TFP_ADDRESS = "https://playground.tensorflow.org/"
HIDE_SUFFIX = "_hide"
MAX_TEXT = 200                       # longest value read (a real link's longest, networkShape, is < 20)

# TensorFlow Playground's names -> this app's
DATASETS = {"circle": "circle", "xor": "xor", "gauss": "gauss", "spiral": "spiral"}
REG_DATASETS = {"reg-plane": "plane", "reg-gauss": "multi_gauss"}
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "linear"}
REGULARIZATIONS = {"none": "none", "L1": "l1", "L2": "l2"}
FEATURES = {"x": "x1", "y": "x2", "xTimesY": "x1x2", "xSquared": "x1_sq", "ySquared": "x2_sq",
            "sinX": "sin_x1", "sinY": "sin_x2"}
UNMAPPED_FEATURES = {"cosX": "cos(X₁)", "cosY": "cos(X₂)"}    # in its state, never on its page
FEATURE_ORDER = ("x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY")
N_POINTS = {"classification": 500, "regression": 1200}          # its NUM_SAMPLES_CLASSIFY / _REGRESS
OUTPUTS = {"classification": "sigmoid", "regression": "linear"}
MAX_LAYERS, MAX_UNITS = 6, 8
PERCENT_RANGES = {"noise": (0, 50), "percTrainData": (10, 90)}     # its sliders; said in its own terms                                     # what its page can build
START = {False: {"init": "tfp_uniform", "bias_init": 0.1}, True: {"init": "zeros", "bias_init": 0.0}}

# its hidable controls (HIDABLE_CONTROLS in src/playground.ts) -> the names this app's `hide` takes
HIDES = {"showTestData": ("views",), "discretize": ("views",), "playButton": ("play",),
         "stepButton": ("step",), "resetButton": ("reset",), "learningRate": ("lr",),
         "activation": ("activation",), "regularization": ("regularization",),
         "regularizationRate": ("reg_rate",), "problem": ("output",), "dataset": ("dataset",),
         "percTrainData": ("train_fraction",), "noise": ("noise",), "batchSize": ("batch_size",),
         "numHiddenLayers": ("hidden",)}

# every key of its state (State.PROPS), in the order it writes them
KEYS = ("activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate",
        "regularizationRate", "noise", "networkShape", "seed", "showTestData", "discretize", "percTrainData",
        *FEATURE_ORDER, "collectStats", "tutorial", "problem", "initZero", "hideText")
SHARED = frozenset(KEYS) & frozenset(FIELD)      # activation, dataset, noise, regularization, seed
# this app's key -> the TensorFlow Playground keys that say the same thing (for a link mixing both)
COUNTERPARTS = {"lr": ("learningRate",), "batch_size": ("batchSize",), "hidden": ("networkShape",),
                "features": FEATURE_ORDER, "train_fraction": ("percTrainData",),
                "reg_rate": ("regularizationRate",), "output": ("problem",), "init": ("initZero",),
                "bias_init": ("initZero",), "data_seed": ("seed",)}
_OUR_SEEDS = re.compile(r"mlp-(\d{1,10})-(\d{1,10})")
_TFP_SEED = re.compile(r"0\.\d{5}")             # Math.random().toFixed(5)


def _last(value) -> str:
    return str(value[-1] if isinstance(value, (list, tuple)) and value else value)


def is_tfp(params: Mapping) -> bool:
    """Whether query params come from a TensorFlow Playground link: a key only it writes, a `_hide` key, or
    (in a link cut down to the keys both share) a value only it writes: `regularization=L1` / `L2`, or a
    seed as its page makes them ("0.58835"), which this app would refuse."""
    if any(str(k) in KEYS and str(k) not in SHARED or str(k).endswith(HIDE_SUFFIX) for k in params):
        return True
    return (_last(params.get("regularization", "")) in ("L1", "L2")
            or _TFP_SEED.fullmatch(_last(params.get("seed", ""))) is not None)


def params_of_link(text: str) -> dict[str, str]:
    """A whole link as pasted ("https://playground.tensorflow.org/#a=1&b=2", "#a=1&…", "?a=1&…" or
    "a=1&…") -> its params, split as TensorFlow Playground splits its fragment (the last of a repeated key
    wins); percent-escapes are undone, since a link copied through a document may have gained them."""
    text = (text or "").strip()
    for mark in ("#", "?"):
        if mark in text:
            text = text.split(mark, 1)[1]
            break
    params = {}
    for pair in text.split("&"):
        name, _, value = pair.partition("=")
        name = unquote(name).strip()
        if name:
            params[name] = unquote(value.split("=", 1)[0])
    return params


def seeds_of(text: str) -> tuple[int, int]:
    """Its seed string -> (data seed, weight seed): those this app wrote, else the first 8 bytes of the
    string's SHA-256, two 31-bit numbers. Deterministic: the same link, the same run."""
    mine = _OUR_SEEDS.fullmatch(text)
    if mine and all(int(s) <= MAX_SEED for s in mine.groups()):
        return int(mine[1]), int(mine[2])
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & MAX_SEED, int.from_bytes(digest[4:8], "big") & MAX_SEED


def seed_text(data_seed: int, seed: int) -> str:
    """The seed string that seeds_of reads back as these two seeds."""
    return f"mlp-{data_seed}-{seed}"


@dataclass
class Reading:
    """What a TensorFlow Playground link says, in this app's terms."""
    params: dict[str, str]                 # this app's query params: settings, `hide`, and the link's others
    views: dict[str, bool] = field(default_factory=dict)   # "show_test", "discretize"
    notes: list[str] = field(default_factory=list)         # a line for each thing not taken over as it was


def _number(raw: str) -> float | None:
    """Its `+text` for a number, None where that is NaN or infinite (JavaScript's + reads "" as 0; never asked)."""
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _text(value: float) -> str:
    """A number as a link writes it: 15 not 15.0, 0.03 not 0.030000000000000002 (10 digits are plenty)."""
    value = round(value, 10)
    return str(int(value)) if value.is_integer() else repr(value)


def _flag(params: Mapping[str, str], key: str, default: bool, notes: list[str]) -> bool:
    raw = params.get(key, "").strip()
    if not raw:
        return default
    if raw not in ("true", "false"):
        notes.append(f"{key}={raw[:20]!r} is read as true, as TensorFlow Playground reads anything but \"false\"")
    return raw != "false"


def _choice(params, key: str, table: dict[str, str], default: str, notes: list[str]) -> str:
    """A named choice: its name, or (in a link mixing both kinds of keys) this app's own name for it."""
    raw = params.get(key, "").strip()
    if not raw:
        return table[default]
    if raw in table:
        return table[raw]
    if key in FIELD and raw in FIELD[key].choices():
        return raw
    notes.append(f"{key}={raw[:40]!r} is not one of TensorFlow Playground's ({', '.join(table)}), so {default} is used")
    return table[default]


def _numbers(params, notes: list[str], out: dict[str, str]) -> None:
    """learningRate, regularizationRate, batchSize, noise and percTrainData; a value that is not a number
    keeps its default and is named (a number this app does not allow is named later, by Config)."""
    for key, ours, scale in (("learningRate", "lr", 1), ("regularizationRate", "reg_rate", 1),
                             ("batchSize", "batch_size", 1), ("noise", "noise", 100),
                             ("percTrainData", "train_fraction", 100)):
        raw = params.get(key, "")
        if not raw.strip():
            continue
        value = _number(raw)
        if value is None:
            notes.append(f"{key}={raw[:20]!r} is not a number, so it keeps its default")
        elif key in PERCENT_RANGES and not PERCENT_RANGES[key][0] <= value <= PERCENT_RANGES[key][1]:
            lo, hi = PERCENT_RANGES[key]
            notes.append(f"{key}={raw[:20]} is outside its slider's {lo}–{hi} (percent), so it keeps its default")
        else:
            out[ours] = _text(value / scale)


def _layers(params, notes: list[str], out: dict[str, str]) -> None:
    if "networkShape" not in params:           # its default, 4,2, is this app's too
        out["hidden"] = "4,2"
        return
    raw = params["networkShape"].strip()
    widths = [w.strip() for w in raw.split(",")] if raw else []
    if all(re.fullmatch(r"\d+", w) for w in widths):
        out["hidden"] = ",".join(str(int(w)) for w in widths)
    else:
        notes.append(f"networkShape={raw[:40]!r} is not a list of layer widths, so it keeps its default 4,2")
        out["hidden"] = "4,2"


def _features(params, notes: list[str], out: dict[str, str]) -> None:
    on = [key for key in FEATURE_ORDER if _flag(params, key, key in ("x", "y"), notes)]
    for key in on:
        if key in UNMAPPED_FEATURES:
            notes.append(f"{key} (the {UNMAPPED_FEATURES[key]} input, which TensorFlow Playground's page never shows) "
                         f"is not an input here, so the net has one input fewer")
    chosen = [name for name in FEATURE_NAMES if name in {FEATURES[key] for key in on if key in FEATURES}]
    if not chosen:
        notes.append("the link turns every input off, so X₁ and X₂ are used")
        chosen = ["x1", "x2"]
    out["features"] = ",".join(chosen)


def _hides(params, notes: list[str]) -> list[str]:
    names = []
    for key in params:
        if not key.endswith(HIDE_SUFFIX) or params[key].strip() != "true":
            continue
        control = key[: -len(HIDE_SUFFIX)]
        if control not in HIDES:
            notes.append(f"{key[:40]} names no control TensorFlow Playground can hide, so nothing is hidden for it")
            continue
        names += [n for n in HIDES[control] if n not in names]
        if control == "problem":
            notes.append("problem_hide hides the output choice: here the data set says classification or regression")
        elif control in ("showTestData", "discretize"):
            notes.append(f"{control}_hide hides every view toggle: this app hides them together")
    return names


def _extras(params, notes: list[str]) -> None:
    if _flag(params, "collectStats", False, []):
        notes.append("collectStats (TensorFlow Playground's usage statistics) has no counterpart here")
    if _flag(params, "hideText", False, []):
        notes.append("hideText: this page has no article text to hide")
    if params.get("tutorial", "").strip():
        notes.append(f"tutorial={params['tutorial'][:40]!r}: TensorFlow Playground's tutorial text is not part of this app")


def read(params: Mapping[str, str]) -> Reading:
    """A TensorFlow Playground link's params (its keys, and maybe this app's) -> this app's params.

    Keys it leaves out take its defaults (they are its page's starting state). This app's own keys in
    the same link win over its keys for the same setting, and each such case is named. Params that are
    neither (a teacher's `hide` / `lock`, a lab's `preset`) are passed on; `hide` gains the `_hide` keys'
    controls. Never raises.
    """
    notes: list[str] = []
    params = {str(k): _last(v) for k, v in params.items()}          # a repeated key: the last one wins
    too_long = [k[:40] for k, v in params.items() if len(v) > MAX_TEXT]
    if too_long:
        notes.append(f"{', '.join(too_long)}: far too long, so left out")
    params = {k: v for k, v in params.items() if len(v) <= MAX_TEXT}
    out: dict[str, str] = {}
    problem = _choice(params, "problem", {"classification": "classification", "regression": "regression"},
                      "classification", notes)
    if problem == "regression":
        out["dataset"] = _choice(params, "regDataset", REG_DATASETS, "reg-plane", notes)
    else:
        out["dataset"] = _choice(params, "dataset", DATASETS, "circle", notes)
    out["output"], out["n_samples"] = OUTPUTS[problem], str(N_POINTS[problem])
    out["activation"] = _choice(params, "activation", ACTIVATIONS, "tanh", notes)
    out["regularization"] = _choice(params, "regularization", REGULARIZATIONS, "none", notes)
    out["reg_rate"] = "0"                                  # its default; _numbers overrides
    _numbers(params, notes, out)
    _layers(params, notes, out)
    _features(params, notes, out)
    out.update({k: _text(v) if isinstance(v, float) else v
                for k, v in START[_flag(params, "initZero", False, notes)].items()})
    if params.get("seed", "").strip():
        out["data_seed"], out["seed"] = map(str, seeds_of(params["seed"].strip()))
    views = {"show_test": _flag(params, "showTestData", False, notes),
             "discretize": _flag(params, "discretize", False, notes)}
    _extras(params, notes)
    hides = _hides(params, notes)

    for key in (k for k in params if k in FIELD and k not in SHARED):      # this app's own keys win
        tfp_keys = [t for t in COUNTERPARTS.get(key, ()) if t in params]
        if tfp_keys:
            notes.append(f"the link mixes both kinds of keys: this app's {key}={params[key][:40]} is used, "
                         f"not TensorFlow Playground's {', '.join(f'{t}={params[t][:20]}' for t in tfp_keys)}")
        out[key] = params[key]
    others = {k: v for k, v in params.items()
              if k not in KEYS and k not in FIELD and not k.endswith(HIDE_SUFFIX)}
    if hides:
        given = [n.strip() for n in others.get("hide", "").split(",") if n.strip()]
        others["hide"] = ",".join(dict.fromkeys(given + hides))
    return Reading({**out, **others}, views, notes)


# -- the way back ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Export:
    """A run as a TensorFlow Playground link: `url` ("" when it cannot be one: `reasons` say why), and
    what the link leaves out (`dropped`, a phrase each)."""
    url: str
    dropped: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


def _reasons(config: Config) -> list[str]:
    reasons = []
    if config.dataset not in {**DATASETS, **REG_DATASETS}.values():
        reasons.append(f"it has no {FIELD['dataset'].choices()[config.dataset]} data set")
    if config.activation not in ACTIVATIONS:
        reasons.append(f"it has no {config.activation} activation (only {', '.join(ACTIVATIONS)})")
    if len(config.hidden) > MAX_LAYERS or any(w > MAX_UNITS for w in config.hidden):
        reasons.append(f"its page builds at most {MAX_LAYERS} hidden layers of at most {MAX_UNITS} units")
    return reasons


def _dropped(config: Config, hide: frozenset[str], lock: frozenset[str]) -> list[str]:
    d = Config()
    dropped = []
    if config.optimizer != "sgd":
        dropped.append(f"the {FIELD['optimizer'].choices()[config.optimizer]} optimizer (it trains with plain SGD)")
    if config.schedule != d.schedule:
        dropped.append("the learning-rate schedule")
    start = START[config.init == "zeros"]
    if config.init not in ("tfp_uniform", "zeros"):
        dropped.append(f"the {FIELD['init'].choices()[config.init]} init (its weights start U(-0.5, 0.5))")
    if config.init_gain != 1.0:
        dropped.append(f"init gain {config.init_gain:g}")
    if config.bias_init != start["bias_init"]:
        dropped.append(f"bias init {config.bias_init:g} (its biases start at {start['bias_init']:g})")
    for key in ("dropout", "clip_norm", "tripwire", "target_loss"):
        if getattr(config, key) != getattr(d, key):
            dropped.append(f"{FIELD[key].label.lower()} {getattr(config, key):g}")
    if config.output == "softmax":
        dropped.append("the softmax output (it has one tanh output unit)")
    if config.n_samples != N_POINTS[config.problem]:
        dropped.append(f"{config.n_samples} points (it always makes {N_POINTS[config.problem]})")
    mapped = {n for names in HIDES.values() for n in names}
    unhidable = sorted(hide - mapped)
    if unhidable:
        dropped.append(f"hiding {', '.join(unhidable)}")
    if lock:
        dropped.append(f"locking {', '.join(sorted(lock))} (it can only hide controls)")
    return dropped


def write(config: Config, views: Mapping[str, bool] | None = None, hide: frozenset[str] = frozenset(),
          lock: frozenset[str] = frozenset()) -> Export:
    """`config` (and the view toggles, and a teacher's hidden / locked controls) as a TensorFlow Playground
    link, every key written out as it writes them; read(params_of_link(url)) gives the run back."""
    reasons = _reasons(config)
    if reasons:
        return Export("", reasons=tuple(reasons))
    views = views or {}
    regression = config.problem == "regression"
    back = {ours: theirs for theirs, ours in {**DATASETS, **REG_DATASETS}.items()}
    on = {tfp for tfp, ours in FEATURES.items() if ours in config.features}
    state = {
        "activation": config.activation,
        "regularization": {v: k for k, v in REGULARIZATIONS.items()}[config.regularization],
        "batchSize": str(config.batch_size),
        "dataset": "circle" if regression else back[config.dataset],
        "regDataset": back[config.dataset] if regression else "reg-plane",
        "learningRate": _text(config.lr),
        "regularizationRate": _text(config.reg_rate),
        "noise": _text(config.noise * 100),
        "networkShape": ",".join(map(str, config.hidden)),
        "seed": seed_text(config.data_seed, config.seed),
        "showTestData": str(bool(views.get("show_test"))).lower(),
        "discretize": str(bool(views.get("discretize"))).lower(),
        "percTrainData": _text(config.train_fraction * 100),
        **{key: str(key in on).lower() for key in FEATURE_ORDER},
        "collectStats": "false",
        "problem": config.problem,
        "initZero": str(config.init == "zeros").lower(),
        "hideText": "false",
    }
    for control, names in HIDES.items():
        if any(n in hide for n in names):
            state[control + HIDE_SUFFIX] = "true"
    url = TFP_ADDRESS + "#" + "&".join(f"{k}={v}" for k, v in state.items())
    return Export(url, tuple(_dropped(config, hide, lock)))
