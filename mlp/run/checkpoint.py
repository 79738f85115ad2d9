"""Save a trainer's whole state to a .npz file and load it back, to carry on exactly where it stopped.

The file holds only plain arrays (numbers and text), never a pickle, so loading it runs no code:
  format, config           text: a format tag, the config as JSON (the config's own validation reads it)
  state                    text: JSON of the step, batch cursor, random generators' states, dtype, ...
  params, last_good        (P,) the flat weights, and the last weights a step proved finite
  optimizer.<name>         (P,) each state vector of the optimizer (momentum's velocity, Adam's m and v)
  order                    (m_train,) the batch order of the current epoch
  data.X_train, ...        the data set itself, so a run on uploaded data restores too
  history.<column>         the history's kept rows (so the curves come back whole)

The training state proper is the trainer's snapshot (trainer.TrainerState, the same one "step back"
keeps), written field by field; loading builds a TrainerState and hands it to Trainer.restore.
Training N steps, saving, loading and training M more gives bit for bit the same weights and history
as training N + M steps in one go. Not restored: the "step back" checkpoints (a loaded run starts
with none) and the timing that sizes live frames.

`load_trainer` checks everything and raises CheckpointError with one sentence a student can act on:
a file that is not a .npz, missing or extra parts, shapes that do not fit the config's layers,
non-finite weights, a config the app would refuse, or a pickle (refused with allow_pickle=False).
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from mlp.run.config import Config, ConfigError
from mlp.engine.datasets import Dataset
from mlp.run.trainer import Trainer, TrainerState

FORMAT = "mlp-playground-checkpoint/1"
MAX_UNPACKED_BYTES = 256_000_000     # the biggest allowed net in float64 with Adam is about 90 MB
DTYPES = ("float32", "float64")


class CheckpointError(ValueError):
    """A weights file that cannot be loaded; the message says why, in one sentence."""


def _text(s: str) -> np.ndarray:
    return np.array(s, dtype=np.str_)        # a unicode array: stored as is, no pickle needed


def save_trainer(trainer: Trainer) -> bytes:
    """The trainer's complete state as the bytes of a compressed .npz file."""
    snap = trainer.snapshot()
    optimizer, kind = snap.optimizer, type(trainer.optimizer)
    started = optimizer is not None               # has the optimizer made its state yet?
    history_columns, history_counters = trainer.history.state()
    state = {
        "step": snap.step,
        "diverged_at": trainer.diverged_at,
        "cursor": snap.cursor,
        "order_rng": snap.order_rng,
        "dropout_rng": snap.dropout_rng,
        "dtype": trainer.net.dtype.name,
        "optimizer_started": started,
        "optimizer_counters": {name: optimizer[name] for name in kind.STATE_COUNTERS} if started else {},
        "history": history_counters,
    }
    arrays = {
        "format": _text(FORMAT),
        "config": _text(trainer.config.to_json()),
        "state": _text(json.dumps(state)),
        "params": snap.params,
        "last_good": trainer.last_good.copy(),
        "order": snap.order,
        "data.X_train": trainer.data.X_train, "data.y_train": trainer.data.y_train,
        "data.X_test": trainer.data.X_test, "data.y_test": trainer.data.y_test,
    }
    if started:
        arrays.update({f"optimizer.{name}": optimizer[name] for name in kind.STATE_ARRAYS})
    arrays.update({f"history.{name}": column for name, column in history_columns.items()})
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


# -- loading ------------------------------------------------------------------------------------------


def _read_arrays(raw: bytes) -> dict[str, np.ndarray]:
    """Every array of an .npz file, read without unpickling anything."""
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise CheckpointError("this is not a weights file (.npz) saved by the playground")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise CheckpointError(f"the file unpacks to {unpacked / 1e6:.0f} MB, more than any playground "
                                  f"network needs ({MAX_UNPACKED_BYTES / 1e6:.0f} MB)")
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except CheckpointError:
        raise
    except ValueError as err:
        if "pickle" in str(err) or "Object arrays" in str(err):
            raise CheckpointError("the file contains Python objects (a pickle); for safety only plain "
                                  "arrays are loaded") from None
        raise CheckpointError(f"the file is damaged ({err})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError) as err:
        raise CheckpointError(f"the file is damaged ({type(err).__name__}: {err})") from None


def _text_of(arrays: dict, name: str) -> str:
    a = arrays[name]
    if a.dtype.kind != "U" or a.shape != ():
        raise CheckpointError(f"the part {name!r} should be text")
    return str(a)


def _array(arrays: dict, name: str, shape: tuple, kind: str, finite: bool = True) -> np.ndarray:
    """arrays[name], checked: its shape, its kind of number ("f" float, "i" integer), finite if asked."""
    a = arrays[name]
    if a.shape != shape:
        raise CheckpointError(f"{name} has shape {a.shape}, but this network needs {shape}")
    allowed = {"f": "fiu", "i": "iu"}[kind]
    if a.dtype.kind not in allowed:
        raise CheckpointError(f"{name} should hold {'numbers' if kind == 'f' else 'whole numbers'}, "
                              f"not {a.dtype}")
    if finite and kind == "f" and not np.isfinite(a).all():
        raise CheckpointError(f"{name} contains NaN or infinite values")
    return a


def _parse_state(arrays: dict) -> dict:
    try:
        state = json.loads(_text_of(arrays, "state"))
    except json.JSONDecodeError:
        raise CheckpointError("the file's training state is not valid JSON") from None
    if not isinstance(state, dict):
        raise CheckpointError("the file's training state is not valid")
    return state


def _int_field(state: dict, key: str, lo: int, hi: float = float("inf")) -> int:
    value = state.get(key)
    if type(value) is not int or not lo <= value <= hi:
        raise CheckpointError(f"the file's {key.replace('_', ' ')} is not valid: {value!r}")
    return value


def _dataset(arrays: dict, config: Config) -> Dataset:
    parts = {}
    for part in ("train", "test"):
        X = arrays[f"data.X_{part}"]
        if X.ndim != 2 or X.shape[1] != 2 or len(X) < 1:
            raise CheckpointError(f"the {part} points should have shape (m, 2), got {X.shape}")
        X = _array(arrays, f"data.X_{part}", X.shape, "f").astype(np.float64)
        if config.problem == "classification":
            y = _array(arrays, f"data.y_{part}", (len(X),), "i").astype(np.int64)
            if y.size and (y.min() < 0 or y.max() >= config.n_output_classes):
                raise CheckpointError(f"the {part} labels must be 0 to {config.n_output_classes - 1}")
        else:
            y = _array(arrays, f"data.y_{part}", (len(X),), "f").astype(np.float64)
        parts[part] = (X, y)
    return Dataset(*parts["train"], *parts["test"], problem=config.problem,
                   n_classes=config.n_output_classes)


def _rng_state(state, name: str) -> dict:
    """`state` if a generator like the trainer's (NumPy's default, PCG64) takes it, else CheckpointError."""
    try:
        np.random.default_rng().bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError):
        raise CheckpointError(f"the file's {name} random state is not valid") from None
    return state


def load_trainer(raw: bytes) -> Trainer:
    """A Trainer in exactly the state `save_trainer` wrote; CheckpointError says what is wrong."""
    arrays = _read_arrays(raw)
    missing = {"format", "config", "state", "params", "last_good", "order", "data.X_train", "data.y_train",
               "data.X_test", "data.y_test"} - set(arrays)
    if missing:
        raise CheckpointError(f"the file misses {', '.join(sorted(missing))}: it is not a complete weights file")
    if _text_of(arrays, "format") != FORMAT:
        raise CheckpointError(f"the file's format is {_text_of(arrays, 'format')[:60]!r}, expected {FORMAT!r}")
    try:
        config = Config.from_json(_text_of(arrays, "config"))
    except ConfigError as err:
        raise CheckpointError(f"the saved settings are not valid: {err}") from None
    state = _parse_state(arrays)
    if state.get("dtype") not in DTYPES:
        raise CheckpointError(f"the file's number type must be one of {', '.join(DTYPES)}")

    trainer = Trainer(config, dtype=state["dtype"], data=_dataset(arrays, config))
    net = trainer.net
    n = net.params.shape
    params = _array(arrays, "params", n, "f").astype(net.dtype)
    trainer.last_good[...] = _array(arrays, "last_good", n, "f")

    m = len(trainer.X_train)
    order = _array(arrays, "order", (m,), "i")
    if not np.array_equal(np.sort(order), np.arange(m)):
        raise CheckpointError("the file's batch order is not an ordering of the training points")
    cursor = _int_field(state, "cursor", 0, m)
    step = _int_field(state, "step", 0)
    diverged_at = state.get("diverged_at")
    trainer.diverged_at = None if diverged_at is None else _int_field(state, "diverged_at", 1)
    order_rng = _rng_state(state.get("order_rng"), "batch order")
    dropout_rng = _rng_state(state.get("dropout_rng"), "dropout")
    trainer.restore(TrainerState(step, params, config, _optimizer_state(trainer, arrays, state),
                                 order.astype(np.int64), cursor, order_rng, dropout_rng))
    _restore_history(trainer, arrays, state)
    return trainer


def _optimizer_state(trainer: Trainer, arrays: dict, state: dict) -> dict | None:
    """The saved moments, checked against what the config's kind of optimizer keeps."""
    kind, params = type(trainer.optimizer), trainer.net.params
    saved = {k.removeprefix("optimizer."): v for k, v in arrays.items() if k.startswith("optimizer.")}
    if state.get("optimizer_started") is not True:
        if saved:
            raise CheckpointError("the file has optimizer state for an optimizer that never started")
        return None
    expected = set(kind.STATE_ARRAYS)
    if set(saved) != expected:
        raise CheckpointError(f"the optimizer state has {sorted(saved) or 'nothing'}, but "
                              f"{trainer.config.optimizer} keeps {sorted(expected) or 'nothing'}")
    loaded = {name: _array(arrays, f"optimizer.{name}", params.shape, "f") for name in kind.STATE_ARRAYS}
    counters = state.get("optimizer_counters")
    if not isinstance(counters, dict) or set(counters) != set(kind.STATE_COUNTERS):
        raise CheckpointError("the file's optimizer counters do not fit the optimizer")
    loaded.update({name: _int_field(counters, name, 0) for name in kind.STATE_COUNTERS})
    return loaded


def _restore_history(trainer: Trainer, arrays: dict, state: dict) -> None:
    columns = {k.removeprefix("history."): v for k, v in arrays.items() if k.startswith("history.")}
    for name, column in columns.items():
        if column.dtype.kind not in "fi":
            raise CheckpointError(f"the history column {name!r} should hold numbers")
    counters = state.get("history")
    try:
        trainer.history.restore(columns, counters if isinstance(counters, dict) else {})
    except ValueError as err:
        raise CheckpointError(f"the file's history does not fit this network: {err}") from None
