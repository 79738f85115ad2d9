"""Weights files, fuzzed: valid files mutated part by part, as tests/test_fuzz_links.py does for links.

Whatever a file holds, loading it ends in one of two ways: a CheckpointError whose message is one
short line, or a trainer that obeys every cap a link obeys (points, cost, layers, features, finite
weights). And the memory it takes to find out stays bounded: a file can declare gigabytes, but the
loader never allocates them (tracemalloc's peak, which sees NumPy's buffers, stays under PEAK_BYTES).

The mutations: each array's shape, dtype, header (a shape its bytes do not hold), content, or
absence; each JSON field of `config` and `state` set to each class of hostile value; the JSON texts
truncated or nested; the file's bytes truncated or flipped; extra and repeated members. All seeded.
"""
from __future__ import annotations

import io
import json
import tracemalloc
import warnings
import zipfile

import numpy as np
import pytest

from mlp.run.checkpoint import CheckpointError, load_trainer
from mlp.run.config import FIELDS, GRID_POINTS, MAX_COST, MAX_SAMPLES, Config

from tests.weights_files import good_parts, npy_bytes, packed

PEAK_BYTES = 64_000_000
MAX_MESSAGE = 400
SEED = 21
DTYPES_PER_ARRAY = 6      # dtypes tried per array (drawn from DTYPES, seeded)
VALUES_PER_FIELD = 8      # hostile values tried per JSON field (drawn from HOSTILE_JSON, seeded)

HOSTILE_JSON = [None, True, -1, 0, 10**30, 10**59, 1e308, -1e308, float("nan"), float("inf"), "", "x" * 500,
                "<script>alert(1)</script>", "[a](http://e.vil)", [], [1] * 300, [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]],
                {"a": {"b": {"c": 1}}}, 2**64, -2**63, 0.5, "float64", "sgd", [256] * 41, ["x1"] * 10]
DTYPES = ["<i1", "<u8", "<f2", "<f4", "<f8", ">f8", "<c16", "|b1", "<U5", "|S4", "|V8", "|O", "<M8[s]"]
SHAPES = [(), (0,), (1,), (3,), (7, 2), (2, 7), (10**12,), (10**6, 10**6), (2**31, 2), (1, 1, 1, 1)]


def _good() -> dict[str, np.ndarray]:
    # Adam (the most parts), two hidden layers, a regression set and a classification one below
    return good_parts(steps=5, hidden=(5, 3), n_samples=60)


GOOD = {"classes": _good(), "values": good_parts(steps=2, dataset="plane", output="linear", n_samples=40)}


def check_outcome(raw: bytes) -> str:
    """Load `raw`: a one-line refusal or a trainer within every cap; "refused" or "loaded"."""
    tracemalloc.start()
    try:
        trainer = load_trainer(raw)
    except CheckpointError as err:
        message = str(err)
        assert "\n" not in message and len(message) <= MAX_MESSAGE, message
        return "refused"
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < PEAK_BYTES, f"loading took {peak / 1e6:.0f} MB"
    config = trainer.config
    assert Config(**{f.key: getattr(config, f.key) for f in FIELDS}) == config     # a config a link could give
    points = len(trainer.data.X_train) + len(trainer.data.X_test)
    assert 1 <= points <= MAX_SAMPLES
    assert config.n_weights * (points + GRID_POINTS) <= MAX_COST
    assert trainer.net.params.shape == (config.n_weights,) and np.isfinite(trainer.net.params).all()
    assert 0 <= trainer.step <= 10**12
    return "loaded"


def mutations_of_arrays(parts: dict, rng: np.random.Generator):
    """(what, file) for each array part: gone, another shape, another dtype, a lying header, noise."""
    for name, array in parts.items():
        rest = {k: v for k, v in parts.items() if k != name}
        yield f"{name} missing", packed(rest)
        for shape in SHAPES:
            yield f"{name} shape {shape}", packed(rest, {f"{name}.npy": npy_bytes(array, shape=shape)})
            if np.prod(shape, dtype=float) < 1e5:
                filled = np.resize(array, shape) if array.size else np.zeros(shape, array.dtype)
                yield f"{name} reshaped {shape}", packed({**rest, name: filled})
        for i in rng.choice(len(DTYPES), DTYPES_PER_ARRAY, replace=False):
            descr = DTYPES[i]
            yield f"{name} header dtype {descr}", packed(rest, {f"{name}.npy": npy_bytes(array, descr=descr)})
            if descr not in ("|O", "|V8"):
                try:
                    converted = array.astype(descr)
                except (ValueError, TypeError):
                    continue
                yield f"{name} as {descr}", packed({**rest, name: converted})
        if array.dtype.kind in "fiu" and array.size:
            noisy = array.astype(np.float64) + rng.normal(0, 1e6, array.shape)
            yield f"{name} noise", packed({**rest, name: noisy.astype(array.dtype)})
            special = array.astype(np.float64).copy()
            for value in (np.nan, np.inf, -np.inf, 1e300, -1e300):
                special.flat[rng.integers(array.size)] = value
                yield f"{name} holding {value}", packed({**rest, name: special})


def mutations_of_json(parts: dict, rng: np.random.Generator):
    """(what, file) for each field of the config and the state set to each hostile value, and the texts
    cut, nested and padded."""
    for part in ("config", "state"):
        data = json.loads(str(parts[part]))
        for key in list(data) + ["unknown_key"]:
            for i in rng.choice(len(HOSTILE_JSON), VALUES_PER_FIELD, replace=False):
                value = HOSTILE_JSON[i]
                changed = {**data, key: value}
                yield f"{part}.{key} = {str(value)[:30]}", packed({**parts, part: np.array(json.dumps(changed))})
            rest = {k: v for k, v in data.items() if k != key}
            yield f"{part} without {key}", packed({**parts, part: np.array(json.dumps(rest))})
        text = str(parts[part])
        for cut in sorted(set(rng.integers(0, len(text), 6).tolist())):
            yield f"{part} cut at {cut}", packed({**parts, part: np.array(text[:cut])})
        for depth in (17, 1000, 19_000):
            yield f"{part} nested {depth}", packed({**parts, part: np.array("[" * depth + "]" * depth)})
        yield f"{part} 5,000 digits", packed({**parts, part: np.array("9" * 5000)})
        yield f"{part} as a list", packed({**parts, part: np.array(json.dumps([data]))})
        yield f"{part} not text", packed({**parts, part: np.arange(3)})


def mutations_of_bytes(parts: dict, rng: np.random.Generator):
    """(what, file) for the file's bytes cut and flipped, and members added or repeated."""
    raw = packed(parts)
    for cut in sorted(set(rng.integers(0, len(raw), 25).tolist())):
        yield f"cut at {cut}", raw[:cut]
    for i in range(25):
        flipped = bytearray(raw)
        for at in rng.integers(0, len(raw), 1 + i % 4):
            flipped[at] ^= 1 << int(rng.integers(8))
        yield f"flip {i}", bytes(flipped)
    yield "extra array", packed({**parts, "extra": np.zeros(3)})
    yield "extra optimizer vector", packed({**parts, "optimizer.w": parts["params"]})
    yield "extra history column", packed({**parts, "history.cheat": parts["history.step"]})
    yield "a text member", packed(parts, {"readme.txt": b"hello"})
    yield "a path member", packed(parts, {"../../etc/passwd.npy": npy_bytes(np.zeros(2))})
    yield "many members", packed(parts, {f"history.c{i}.npy": npy_bytes(np.zeros(2)) for i in range(80)})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")         # "Duplicate name": the point of this one
        for name, array in parts.items():
            archive.writestr(f"{name}.npy", npy_bytes(array))
        archive.writestr("params.npy", npy_bytes(np.zeros(len(parts["params"]), parts["params"].dtype)))
    yield "params twice", out.getvalue()


KINDS = {"arrays": mutations_of_arrays, "json": mutations_of_json, "bytes": mutations_of_bytes}


@pytest.mark.parametrize("data", list(GOOD))
@pytest.mark.parametrize("kind", list(KINDS))
def test_every_mutated_weights_file_is_refused_in_one_line_or_loads_within_the_caps(kind, data):
    rng = np.random.default_rng([SEED, list(KINDS).index(kind), list(GOOD).index(data)])
    outcomes = {"refused": 0, "loaded": 0}
    for what, raw in KINDS[kind](GOOD[data], rng):
        try:
            outcomes[check_outcome(raw)] += 1
        except AssertionError as err:
            raise AssertionError(f"{what}: {err}") from None
        except Exception as err:      # anything else would be a traceback on the page
            raise AssertionError(f"{what}: {type(err).__name__}: {err}") from None
    # the mutations really were tried, and mostly refused (many harmless ones load: params saved as
    # float64 or int8, a config field set to another valid value)
    assert outcomes["refused"] > 20 and outcomes["refused"] > outcomes["loaded"], outcomes


def test_the_unmutated_files_load():
    for parts in GOOD.values():
        assert check_outcome(packed(parts)) == "loaded"
