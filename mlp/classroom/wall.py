"""The class wall's content, without Streamlit or a database: what a student's snapshot holds, the
thumbnail of their decision boundary, the teacher's challenge, the wall's order and its CSV.

A snapshot is a small JSON object (about 1.5 KB):
  settings     the run's share-link query (only what differs from the defaults)
  step, epoch, train_loss, test_loss, train_metric, test_metric   (metric: accuracy, or R² for regression)
  problem      "classification" or "regression"
  arch         "2-4-2-3": the layer widths, inputs to outputs; n_params: weights and biases
  state        "playing", "paused", "diverged", "dead units" or "saturated units"
  thumb        THUMB x THUMB cells of the output over the plane, one byte each, base64; thumb_kind
               "prob" (P(class 1)), "class" (the predicted class / (K - 1)) or "value" (scaled to the data)
  reached      {"step", "n_params"} once the run met the class's challenge ("from_file": true when the run
               came from a weights file, whose step counter is its own word), else None
  time         when it was made (seconds since the epoch)
The student's weights travel beside it as a checkpoint (mlp/run/checkpoint.py), so the teacher can open
the run itself.
"""
from __future__ import annotations

import base64
import csv
import functools
import io
import math
import time
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np

from mlp.run.config import Config, natural_output
from mlp.engine.datasets import DATASETS, featurize, grid
from mlp.classroom.display_text import clean_text
from mlp.classroom.store import MAX_NAME, MAX_TITLE
from mlp.run.trainer import Readout, Trainer
from mlp.run.own_points import USER_SETS

THUMB = 24                  # thumbnail cells a side (TF Playground's neuron thumbnails are 10)
# what decides the test set: a challenge ranks runs only on the same one
DATA_KEYS = ("dataset", "noise", "train_fraction", "n_samples", "n_classes", "data_seed")
CHALLENGE_DATASETS = tuple(name for name in DATASETS if name not in USER_SETS)
SORTS = ("name", "test loss", "challenge")


# -- names -----------------------------------------------------------------------------------------
def clean_name(raw) -> tuple[str | None, str | None]:
    """A display name from what a student typed or a link carried: (name, None) or (None, why not).

    Control and format characters (bidi overrides, zero-width ones, but an emoji's joiner) go, runs of
    spaces become one, at most MAX_NAME characters are kept (mlp/classroom/display_text.py; a class title gets
    the same). The name is text, never markup: the pages show it as such.
    """
    return clean_text(raw, MAX_NAME, "a name")


def clean_title(raw) -> tuple[str | None, str | None]:
    """A class title, cleaned as a name is, up to MAX_TITLE characters."""
    return clean_text(raw, MAX_TITLE, "a class title")


# -- links -----------------------------------------------------------------------------------------
def absolute_base(url: str | None, host: str | None = None, proto: str | None = None) -> str:
    """The app's absolute address from the page's: `url` (Streamlit's st.context.url, which may name
    the Class page, or be empty) without the page, or, when it is not absolute, http(s)://<Host header>.
    "" when neither is known (the links are then relative)."""
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        path = re.sub(r"/Class/?$", "", parts.path).rstrip("/")
        return f"{parts.scheme}://{parts.netloc}{path}"
    if host and re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,255}", host):
        scheme = proto if proto in ("http", "https") else "http"
        return f"{scheme}://{host}"
    return ""


def join_link(base: str, class_id: str, name: str | None = None) -> str:
    """The students' link: the Class page of the app at `base`, with the class (and a pre-set name)."""
    params = {"join": class_id, **({"name": name} if name else {})}
    return f"{base.rstrip('/')}/Class?{urlencode(params)}"


def teacher_link(base: str, class_id: str, key: str) -> str:
    return f"{base.rstrip('/')}/Class?{urlencode({'class': class_id, 'key': key})}"


def settings_query(config: Config) -> str:
    """The share link's query of a config: only what differs from the defaults (as the Playground's)."""
    try:
        return _settings_query(config)
    except TypeError:                   # a config that cannot be hashed: made afresh
        return _settings_query.__wrapped__(config)


@functools.lru_cache(maxsize=256)       # a config is frozen; a student's changes rarely, and posts every second
def _settings_query(config: Config) -> str:
    default = Config().to_query()
    return urlencode({k: v for k, v in config.to_query().items() if v != default[k]}, safe=",")


# -- the snapshot ----------------------------------------------------------------------------------
@functools.lru_cache(maxsize=16)
def _thumb_inputs(features: tuple[str, ...], dtype: str) -> np.ndarray:
    inputs = featurize(grid(THUMB)[2], features, np.dtype(dtype))
    inputs.flags.writeable = False
    return inputs


def thumbnail(trainer: Trainer) -> tuple[str, str]:
    """(kind, base64 of THUMB² bytes): the output over the plane, row-major with y rising by row."""
    c = trainer.config
    P = trainer.net.predict(_thumb_inputs(c.features, trainer.net.dtype.name)).astype(np.float64)
    if c.problem == "regression":
        y = trainer.data.y_train.astype(np.float64)
        lo, hi = float(y.min()), float(y.max())
        z, kind = (P[:, 0] - lo) / (hi - lo if hi > lo else 1.0), "value"
    elif P.shape[1] == 1:
        z, kind = P[:, 0], "prob"
    elif P.shape[1] == 2:
        z, kind = P[:, 1], "prob"
    else:
        z, kind = P.argmax(axis=1) / (P.shape[1] - 1), "class"
    cells = np.round(255 * np.clip(np.nan_to_num(z, nan=0.5), 0.0, 1.0)).astype(np.uint8)
    return kind, base64.b64encode(cells.tobytes()).decode()


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def run_state(playing: bool, report: Readout, alarm_kinds: set[str]) -> str:
    if report.diverged_at is not None:
        return "diverged"
    if "dead" in alarm_kinds:
        return "dead units"
    if "saturated" in alarm_kinds:
        return "saturated units"
    return "playing" if playing else "paused"


def snapshot(trainer: Trainer, report: Readout, state: str, reached: dict | None,
             now: float | None = None) -> dict:
    c = trainer.config
    kind, thumb = thumbnail(trainer)
    return {
        "settings": settings_query(c), "step": int(report.step), "epoch": _finite(report.epoch),
        "train_loss": _finite(report.train_loss), "test_loss": _finite(report.test_loss),
        "train_metric": _finite(report.train_metric), "test_metric": _finite(report.test_metric),
        "problem": c.problem, "arch": "-".join(map(str, trainer.net.sizes)),
        "n_params": int(trainer.net.params.size), "state": state, "thumb": thumb, "thumb_kind": kind,
        "reached": reached, "time": time.time() if now is None else now,
    }


def read_thumb(snap: dict) -> np.ndarray | None:
    """(THUMB, THUMB) values in [0, 1] from a snapshot, or None when it holds no valid thumbnail."""
    try:
        cells = np.frombuffer(base64.b64decode(snap["thumb"], validate=True), np.uint8)
    except (KeyError, TypeError, ValueError):
        return None
    return cells.reshape(THUMB, THUMB) / 255.0 if cells.size == THUMB * THUMB else None


# -- the challenge ---------------------------------------------------------------------------------
def make_challenge(dataset: str, noise: float, target: float, max_params: int | None = None,
                   max_layers: int | None = None) -> dict:
    """A challenge on `dataset` at `noise` (every other data setting at its default, so the test set
    is the same for everyone): test loss at or below `target`, optionally with at most `max_params`
    weights and biases and `max_layers` hidden layers. Raises ValueError naming a bad argument."""
    if dataset not in CHALLENGE_DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(CHALLENGE_DATASETS)}, got {dataset!r}")
    if not (math.isfinite(target) and target > 0):
        raise ValueError(f"the target test loss must be a positive number, got {target!r}")
    for name, cap in (("max_params", max_params), ("max_layers", max_layers)):
        if cap is not None and not (isinstance(cap, int) and cap >= (0 if name == "max_layers" else 1)):
            raise ValueError(f"{name} must be a whole number of at least {0 if name == 'max_layers' else 1} "
                             f"or none, got {cap!r}")
    config = Config().replace(dataset=dataset, output=natural_output(dataset), noise=noise)
    query = config.to_query()
    return {"data": {k: query[k] for k in DATA_KEYS}, "target": float(target), "max_params": max_params,
            "max_layers": max_layers}


def challenge_params(challenge: dict) -> dict[str, str]:
    """The link params that put a student on the challenge's data (and its natural output)."""
    data = dict(challenge["data"])
    return {**data, "output": natural_output(data["dataset"])}


def meets(challenge: dict | None, trainer: Trainer, report: Readout) -> bool:
    """Does this run meet the challenge now: on its data, under its caps, at or below its target?"""
    if not challenge or report.diverged_at is not None:
        return False
    query = trainer.config.to_query()
    if any(query.get(k) != v for k, v in challenge.get("data", {}).items()):
        return False
    if challenge.get("max_params") is not None and trainer.net.params.size > challenge["max_params"]:
        return False
    if challenge.get("max_layers") is not None and len(trainer.config.hidden) > challenge["max_layers"]:
        return False
    loss = float(report.test_loss)
    return math.isfinite(loss) and loss <= challenge["target"]


def describe_challenge(challenge: dict) -> str:
    data = challenge["data"]
    caps = [f"at most {challenge['max_params']:,} weights and biases"] if challenge.get("max_params") else []
    if challenge.get("max_layers") is not None:
        caps.append(f"at most {challenge['max_layers']} hidden layer(s)")
    return (f"{DATASETS[data['dataset']].label} (noise {_noise(data['noise'])}): test loss ≤ {challenge['target']:g}"
            + (", " + ", ".join(caps) if caps else ""))


# -- the wall --------------------------------------------------------------------------------------
def card_data(snap: dict) -> dict[str, str]:
    """The data settings (DATA_KEYS, as a link writes them) a card's run trains on, from its snapshot's
    settings (defaults filled in); {} when the snapshot names none readable (a card made by a join)."""
    settings = snap.get("settings")
    if not isinstance(settings, str):
        return {}
    default = Config().to_query()
    given = dict(parse_qsl(settings))
    return {k: given.get(k, default[k]) for k in DATA_KEYS}


def data_label(snap: dict) -> str:
    """"Spiral (noise 0)": what a card trains on, for the wall; "" when the snapshot does not say."""
    data = card_data(snap)
    spec = DATASETS.get(data.get("dataset", ""))
    return f"{spec.label} (noise {_noise(data['noise'])})" if spec is not None else ""


def _noise(text) -> str:
    """A link's noise ("0.0", "0.25") as the wall writes it ("0", "0.25")."""
    try:
        return f"{float(text):g}"
    except (TypeError, ValueError):
        return str(text)


def _loss_key(snap: dict) -> float:
    loss = snap.get("test_loss")
    return loss if isinstance(loss, (int, float)) else math.inf


def sort_cards(cards: list, by: str) -> list:
    """Cards (objects with .name and .snapshot) by name, by test loss (lowest first, within each data
    set: losses on different problems do not compare, so the cards go in groups of one data setting,
    the groups by their best loss), or by the challenge (who reached it, earliest step first, then
    fewest weights, runs loaded from a file after those trained in the
    page; the rest by test loss)."""
    if by == "name":
        return sorted(cards, key=lambda c: (c.name.casefold(), c.name))
    if by == "test loss":
        def data_key(c):
            return tuple(sorted(card_data(c.snapshot).items()))
        best: dict = {}
        for c in cards:
            best[data_key(c)] = min(best.get(data_key(c), math.inf), _loss_key(c.snapshot))
        return sorted(cards, key=lambda c: (best[data_key(c)], data_key(c), _loss_key(c.snapshot),
                                            c.name.casefold()))
    if by == "challenge":
        def key(c):
            r = c.snapshot.get("reached")
            if isinstance(r, dict):
                # a run loaded from a weights file brought its own step counter: after those trained here
                return (0, bool(r.get("from_file")), r.get("step", math.inf), r.get("n_params", math.inf),
                        c.name.casefold())
            return (1, False, _loss_key(c.snapshot), 0, c.name.casefold())
        return sorted(cards, key=key)
    raise ValueError(f"sort must be one of {', '.join(SORTS)}, got {by!r}")


CSV_COLUMNS = ("name", "settings_link", "state", "step", "train_loss", "test_loss", "train_metric", "test_metric",
               "architecture", "n_params", "challenge_step", "challenge_n_params", "updated_utc")


def csv_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def wall_csv(cards: list, playground_url: str) -> str:
    """The wall as CSV, a row per student (the order given). `playground_url`: the Playground's absolute
    address (absolute_base() + "/"), so a settings link opens from a spreadsheet."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for c in cards:
        s, r = c.snapshot, c.snapshot.get("reached") or {}
        link = f"{playground_url}?{s['settings']}" if s.get("settings") else playground_url
        w.writerow([csv_cell(v) for v in (
            c.name, link, s.get("state"), s.get("step"), s.get("train_loss"), s.get("test_loss"),
            s.get("train_metric"), s.get("test_metric"), s.get("arch"), s.get("n_params"), r.get("step"),
            r.get("n_params"), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(c.updated)))])
    return out.getvalue()

