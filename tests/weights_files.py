"""Crafting weights files for the tests: a valid file's parts, packed back with any change, and .npy
members whose header says what we like (a shape the bytes do not hold)."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from mlp.run.checkpoint import save_trainer
from mlp.run.config import Config
from mlp.engine.datasets import Dataset
from mlp.run.trainer import Trainer


def parts_of(raw: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def good_parts(steps: int = 3, **config) -> dict[str, np.ndarray]:
    trainer = Trainer(Config(**{"optimizer": "adam", **config}))
    trainer.run(steps)
    return parts_of(save_trainer(trainer))


def own_points(m: int, seed: int = 0) -> Dataset:
    """m points of "Your data (2 classes)", three quarters of them for training."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-6, 6, (m, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    k = max(1, 3 * m // 4)
    return Dataset(X[:k], y[:k], X[k:], y[k:], problem="classification", n_classes=2)


def npy_bytes(array: np.ndarray, shape: tuple | None = None, descr: str | None = None) -> bytes:
    """The .npy file of `array`, its header declaring `shape` / `descr` instead when given."""
    header = np.lib.format.header_data_from_array_1_0(array)
    if shape is not None:
        header["shape"] = tuple(shape)
    if descr is not None:
        header["descr"] = descr
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, header)
    return out.getvalue() + np.ascontiguousarray(array).tobytes()


def packed(parts: dict, raw_members: dict[str, bytes] | None = None) -> bytes:
    """An .npz of `parts` (arrays), plus `raw_members` (member name -> bytes, written as they are)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, array in parts.items():
            archive.writestr(f"{name}.npy", npy_bytes(np.asanyarray(array)))
        for name, data in (raw_members or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def with_json(parts: dict, part: str, **changes) -> dict:
    """`parts` with the JSON text part `part` ("config" or "state") changed."""
    data = json.loads(str(parts[part]))
    data.update(changes)
    return {**parts, part: np.array(json.dumps(data))}
