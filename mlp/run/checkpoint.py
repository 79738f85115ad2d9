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

A weights file is input like a link: `load_trainer` checks everything and raises CheckpointError
with one sentence a student can act on: a file that is not a .npz, missing or extra parts, a pickle,
an array header declaring more than its bytes (checked before anything is allocated), text parts
too long, too deep or with huge numbers (mlp/run/bounded_json.py), a config the app would refuse, more
points than a link may ask for or a run over the cost cap (on the file's real points), shapes that
do not fit the config's layers, non-finite weights, or a generated data set whose points are not
the ones its settings make (so a class's challenge is judged on the class's own test set).
"""
from __future__ import annotations

import io
import json
import math
import zipfile
import zlib

import numpy as np

from mlp.run import bounded_json
from mlp.engine.checks import describe
from mlp.run.config import GRID_POINTS, MAX_COST, MAX_SAMPLES, Config, ConfigError
from mlp.engine.datasets import Dataset, make_dataset
from mlp.run.trainer import Trainer, TrainerState
from mlp.run.own_points import MAX_SIZE, USER_SETS

FORMAT = "mlp-playground-checkpoint/1"
MAX_UNPACKED_BYTES = 32_000_000      # the biggest net the cost cap allows, in float64 with Adam: about 10 MB
MAX_FILE_BYTES = 32_000_000          # the file itself (compressed, it is smaller than what it unpacks to)
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
# A file is read in three passes, so nothing it declares is allocated before it is checked:
# 1. the zip's list of members and each member's .npy header (a few hundred bytes each): only the
#    parts save_trainer writes, plain numbers or text, and every declared size matching the bytes
#    that follow it and within MAX_UNPACKED_BYTES in all;
# 2. the three small text parts (format, settings, state), as bounded JSON (mlp/run/bounded_json.py), and
#    the points' and weights' declared shapes against the caps a link obeys (points, cost, layers);
# 3. the arrays themselves, then every value checked as before.

REQUIRED = ("format", "config", "state", "params", "last_good", "order", "data.X_train", "data.y_train",
            "data.X_test", "data.y_test")
TEXTS = ("format", "config", "state")
GROUPS = ("optimizer.", "history.")   # optimizer.<state vector>, history.<column>: checked by name later
MAX_MEMBERS = 64                      # the file has 10 parts, 2 optimizer vectors and 11 history columns
MAX_HEADER = 1_000                    # bytes of one .npy header (NumPy writes 128)
MAX_STEP = 10**12                     # far more steps than any run takes (10 million from the command line)


def _refuse_extra(name: str) -> None:
    if name in REQUIRED:
        return
    group, _, rest = name.partition(".")
    if f"{group}." in GROUPS and rest.isidentifier() and len(rest) <= 40:
        return
    raise CheckpointError(f"the file holds a part the playground never writes ({describe(name)}); "
                          "only its own weights files are loaded")


def _headers(archive: zipfile.ZipFile) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Each member's name -> its declared (shape, dtype), read from the .npy headers alone."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise CheckpointError(f"the file holds {len(infos):,} parts; a weights file has at most {MAX_MEMBERS}")
    headers, total = {}, 0
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise CheckpointError(f"the file holds {describe(info.filename)}, which is not an array; only the "
                                  "playground's own weights files are loaded")
        name = info.filename[:-4]
        _refuse_extra(name)
        if name in headers:
            raise CheckpointError(f"the file holds the part {describe(name)} twice")
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version not in ((1, 0), (2, 0), (3, 0)):
                raise CheckpointError(f"the part {describe(name)} is not a NumPy array")
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, _, dtype = read(member, max_header_size=MAX_HEADER)
            data_bytes = info.file_size - member.tell()
        if dtype.hasobject:
            raise CheckpointError("the file contains Python objects (a pickle); for safety only plain "
                                  "arrays are loaded")
        if dtype.kind not in "biufU" or dtype.fields is not None or dtype.subdtype is not None:
            raise CheckpointError(f"the part {describe(name)} holds {describe(str(dtype))}, not plain numbers or text")
        declared = math.prod(shape) * dtype.itemsize        # Python ints: 10**12 elements is just a number
        if declared != data_bytes:
            raise CheckpointError(f"the part {describe(name)} is damaged: its header declares {declared:,} bytes "
                                  f"but {data_bytes:,} follow")
        total += declared
        if total > MAX_UNPACKED_BYTES:
            raise CheckpointError(f"the file unpacks to more than {MAX_UNPACKED_BYTES / 1e6:.0f} MB, more than any "
                                  "playground network needs")
        headers[name] = (shape, dtype)
    return headers


def _load_member(archive: zipfile.ZipFile, name: str) -> np.ndarray:
    with archive.open(f"{name}.npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False, max_header_size=MAX_HEADER)


def _text_part(archive: zipfile.ZipFile, headers: dict, name: str) -> str:
    shape, dtype = headers[name]
    if dtype.kind != "U" or shape != ():
        raise CheckpointError(f"the part {name!r} should be text")
    if dtype.itemsize // 4 > bounded_json.MAX_CHARS:
        raise CheckpointError(f"the part {name!r} is {dtype.itemsize // 4:,} characters long, far longer than "
                              "a weights file's")
    return str(_load_member(archive, name))


def _read_json(text: str, what: str):
    try:
        return bounded_json.loads(text)
    except bounded_json.JSONBoundsError as err:
        raise CheckpointError(f"the file's {what} cannot be read: {err}") from None


def _check_sizes(headers: dict, config: Config) -> None:
    """The caps a link obeys, on the shapes the file declares (before its arrays are read): at most
    MAX_SAMPLES points, and the net's cost over the real points within MAX_COST."""
    counts = []
    for part in ("train", "test"):
        shape = headers[f"data.X_{part}"][0]
        if len(shape) != 2 or shape[1] != 2 or shape[0] < 1:
            raise CheckpointError(f"the {part} points should have shape (m, 2), got {shape}")
        counts.append(shape[0])
    points = sum(counts)
    if points > MAX_SAMPLES:
        raise CheckpointError(f"the file has {points:,} points; at most {MAX_SAMPLES:,} fit in the playground "
                              "(as in a link)")
    cost = config.n_weights * (points + GRID_POINTS)
    if cost > MAX_COST:
        raise CheckpointError(f"this run is too big for a shared server: {config.n_weights:,} weights on "
                              f"{points:,} points and the output's {GRID_POINTS:,} is over the limit of {MAX_COST:,}")
    for name in ("params", "last_good"):
        if headers[name][0] != (config.n_weights,):
            raise CheckpointError(f"{name} has shape {headers[name][0]}, but this network needs ({config.n_weights},)")


def _read_arrays(raw: bytes) -> tuple[dict[str, np.ndarray], Config, dict]:
    """Every array of the file, its config and its state, each checked before anything large is read."""
    if len(raw) > MAX_FILE_BYTES:
        raise CheckpointError(f"the file is {len(raw) / 1e6:,.0f} MB, more than any playground network needs "
                              f"({MAX_FILE_BYTES / 1e6:.0f} MB)")
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise CheckpointError("this is not a weights file (.npz) saved by the playground")
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        headers = _headers(archive)
        missing = set(REQUIRED) - set(headers)
        if missing:
            raise CheckpointError(f"the file misses {', '.join(sorted(missing))}: it is not a complete weights file")
        fmt = _text_part(archive, headers, "format")
        if fmt != FORMAT:
            raise CheckpointError(f"the file's format is {describe(fmt)}, expected {FORMAT!r}")
        try:
            config = Config.from_json(_text_part(archive, headers, "config"))
        except ConfigError as err:
            raise CheckpointError(f"the saved settings are not valid: {err}") from None
        state = _read_json(_text_part(archive, headers, "state"), "training state")
        if not isinstance(state, dict):
            raise CheckpointError("the file's training state is not valid")
        _check_sizes(headers, config)
        arrays = {name: _load_member(archive, name) for name in headers if name not in TEXTS}
    return arrays, config, state


def _array(arrays: dict, name: str, shape: tuple, kind: str, finite: bool = True, dtype=None) -> np.ndarray:
    """arrays[name], checked: its shape, its kind of number ("f" float, "i" integer), finite if asked
    (after the cast to `dtype`, when given: 1e300 saved as float64 is infinite in a float32 net)."""
    a = arrays[name]
    if a.shape != shape:
        raise CheckpointError(f"{name} has shape {a.shape}, but this network needs {shape}")
    allowed = {"f": "fiu", "i": "iu"}[kind]
    if a.dtype.kind not in allowed:
        raise CheckpointError(f"{name} should hold {'numbers' if kind == 'f' else 'whole numbers'}, "
                              f"not {a.dtype}")
    if dtype is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            a = a.astype(dtype)
    if finite and kind == "f" and not np.isfinite(a).all():
        raise CheckpointError(f"{name} contains NaN or infinite values")
    return a


def _int_field(state: dict, key: str, lo: int, hi: int = MAX_STEP) -> int:
    value = state.get(key)
    if type(value) is not int or not lo <= value <= hi:
        raise CheckpointError(f"the file's {key.replace('_', ' ')} is not valid: {describe(value)}")
    return value


def _dataset(arrays: dict, config: Config) -> Dataset:
    parts = {}
    for part in ("train", "test"):
        X = arrays[f"data.X_{part}"]
        if X.ndim != 2 or X.shape[1] != 2 or len(X) < 1:
            raise CheckpointError(f"the {part} points should have shape (m, 2), got {X.shape}")
        X = _array(arrays, f"data.X_{part}", X.shape, "f").astype(np.float64)
        if np.abs(X).max() > MAX_SIZE:
            raise CheckpointError(f"the {part} points have coordinates beyond ±{MAX_SIZE:g}, as no data set has")
        if config.problem == "classification":
            y = _array(arrays, f"data.y_{part}", (len(X),), "i").astype(np.int64)
            if y.size and (y.min() < 0 or y.max() >= config.n_output_classes):
                raise CheckpointError(f"the {part} labels must be 0 to {config.n_output_classes - 1}")
        else:
            y = _array(arrays, f"data.y_{part}", (len(X),), "f").astype(np.float64)
        parts[part] = (X, y)
    data = Dataset(*parts["train"], *parts["test"], problem=config.problem, n_classes=config.n_output_classes)
    if config.dataset not in USER_SETS and not _same_data(data, _generated(config)):
        # a generated set is its settings' points: a file cannot bring another test set (say its four
        # easiest points) to a class's challenge, which ranks everyone on the same one
        raise CheckpointError(f"the file's points are not the ones its settings make ({config.dataset}, "
                              f"{config.n_samples} points, data seed {config.data_seed}); a generated data set "
                              "cannot be edited in a weights file")
    return data


def _generated(config: Config) -> Dataset:
    return make_dataset(config.dataset, config.n_samples, config.noise, config.train_fraction,
                        config.data_seed, config.n_classes)


def _same_data(a: Dataset, b: Dataset) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in ("X_train", "y_train", "X_test", "y_test"))


def _rng_state(state, name: str) -> dict:
    """`state` if a generator like the trainer's (NumPy's default, PCG64) takes it, else CheckpointError."""
    try:
        np.random.default_rng().bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError):
        raise CheckpointError(f"the file's {name} random state is not valid") from None
    return state


def load_trainer(raw: bytes) -> Trainer:
    """A Trainer in exactly the state `save_trainer` wrote; CheckpointError says what is wrong.

    Nothing else escapes: whatever a crafted file makes NumPy or json raise becomes a CheckpointError
    (the page shows it, the command line exits 2 with it)."""
    try:
        return _load_trainer(raw)
    except CheckpointError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, MemoryError, EOFError,
            OSError, RuntimeError, NotImplementedError, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error) as err:
        raise CheckpointError(f"the file is damaged ({type(err).__name__}: {describe(str(err))})") from None


def _load_trainer(raw: bytes) -> Trainer:
    arrays, config, state = _read_arrays(raw)
    if state.get("dtype") not in DTYPES:
        raise CheckpointError(f"the file's number type must be one of {', '.join(DTYPES)}")

    trainer = Trainer(config, dtype=state["dtype"], data=_dataset(arrays, config))
    net = trainer.net
    n = net.params.shape
    params = _array(arrays, "params", n, "f", dtype=net.dtype)
    trainer.last_good[...] = _array(arrays, "last_good", n, "f", dtype=net.dtype)

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
    loaded = {name: _array(arrays, f"optimizer.{name}", params.shape, "f", dtype=params.dtype)
              for name in kind.STATE_ARRAYS}
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
        finite = column[np.isfinite(column)] if column.dtype.kind == "f" else column
        if finite.size and np.abs(finite.astype(np.float64)).max() > np.finfo(np.float32).max:
            raise CheckpointError(f"the history column {name!r} holds numbers too large to keep")
    counters = state.get("history")
    try:
        trainer.history.restore(columns, counters if isinstance(counters, dict) else {})
    except ValueError as err:
        raise CheckpointError(f"the file's history does not fit this network: {err}") from None
