"""A weights file is input like a link (issue 21, items 1, 3 and 8): the caps a link obeys hold for it,
unknown parts are refused, nothing it declares is allocated before it is checked, crafted JSON gets a
sentence, and a generated set's test set cannot be swapped for an easier one."""
from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from mlp.run.checkpoint import CheckpointError, load_trainer, save_trainer
from mlp.run.config import MAX_SAMPLES, Config
from mlp.run.trainer import Trainer

from tests.weights_files import good_parts, npy_bytes, own_points, packed, parts_of, with_json

ROOT = Path(__file__).resolve().parent.parent
PEAK_BYTES = 40_000_000       # a refusal must stay far below what the file asks for (GBs)


def refused(raw: bytes, message: str) -> int:
    """Load `raw`, expecting a CheckpointError matching `message`; the memory peak while trying."""
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=message):
            load_trainer(raw)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def own_points_file(m: int, **config) -> bytes:
    """A file of a run on m of the student's own points (the engine trains on any data it is given)."""
    trainer = Trainer(Config(dataset="user", **config), data=own_points(m))
    return save_trainer(trainer)


def test_a_file_with_more_points_than_a_link_may_ask_for_is_refused():
    # the probe's file: 100,000 points where a link may ask for 2,000
    peak = refused(own_points_file(100_000), f"100,000 points; at most {MAX_SAMPLES:,}")
    assert peak < PEAK_BYTES
    assert load_trainer(own_points_file(MAX_SAMPLES)).data.X_train.shape == (3 * MAX_SAMPLES // 4, 2)


def test_the_cost_cap_holds_on_the_files_real_points():
    # 5 x 256 is allowed at 500 points (its config says 500), but the file trains it on 2,000:
    # 264,450 weights x (2,000 + 10,000) = 3.2e9 > 3e9
    raw = own_points_file(2000, hidden=(256,) * 5, n_samples=500)
    refused(raw, "too big for a shared server")


def test_a_part_the_playground_never_writes_is_refused():
    refused(packed({**good_parts(), "extra": np.zeros(3)}), "never writes")
    refused(packed(good_parts(), {"notes.txt": b"hello"}), "not an array")


def test_a_header_declaring_a_trillion_values_is_refused_before_anything_is_allocated():
    parts = good_parts()
    params = parts.pop("params")
    raw = packed(parts, {"params.npy": npy_bytes(params, shape=(10**12,))})
    assert refused(raw, f"declares {10**12 * params.itemsize:,} bytes") < PEAK_BYTES
    # the same lie on a small part, and a header saying more than the bytes that follow
    order = parts.pop("order")
    refused(packed(parts, {"params.npy": npy_bytes(params), "order.npy": npy_bytes(order, shape=(10**6, 10**6))}),
            "declares")
    refused(packed(parts, {"params.npy": npy_bytes(params, shape=(len(params) + 1,)), "order.npy": npy_bytes(order)}),
            "declares")


@pytest.mark.parametrize("part, text, message", [
    ("config", "[" * 100_000, "100,000 characters long"),      # the probe's file: too long before too deep
    ("state", "[" * 100_000, "100,000 characters long"),
    ("config", "[" * 10_000, "nested more than"),
    ("state", '{"history": ' + "{" * 5_000 + "}" * 5_000 + "}", "nested more than"),
    ("config", '{"seed": ' + "9" * 5000 + "}", "5,000 digits"),
    ("state", '{"step": ' + "7" * 5000 + "}", "5,000 digits"),
    ("config", '{"lr": 0.1' + " " * 30_000 + "}", "characters long"),
])
def test_deep_or_huge_json_is_refused_with_a_sentence(part, text, message):
    refused(packed({**good_parts(), part: np.array(text)}), message)


def test_an_absurd_step_counter_is_refused():
    refused(packed(with_json(good_parts(), "state", step=10**30)), "step is not valid")


def test_a_generated_sets_test_set_cannot_be_swapped_for_an_easier_one():
    # Low 8: the same weights scored honestly, and with the test set cut to its four easiest points
    parts = good_parts(dataset="spiral", n_samples=200)
    honest = load_trainer(packed(parts))
    assert honest.data.X_test.shape[0] == 100
    easy = {**parts, "data.X_test": parts["data.X_test"][:4], "data.y_test": parts["data.y_test"][:4]}
    refused(packed(easy), "not the ones its settings make")
    moved = {**parts, "data.X_test": parts["data.X_test"] * 0.5}
    refused(packed(moved), "not the ones its settings make")


@pytest.mark.parametrize("flag, make", [
    ("--resume", lambda parts: packed({**parts, "config": np.array("[" * 100_000)})),
    ("--resume", lambda parts: packed({**parts, "state": np.array('{"step": ' + "7" * 5000 + "}")})),
    ("--resume", lambda parts: packed({k: v for k, v in parts.items() if k != "params"},
                                      {"params.npy": npy_bytes(parts["params"], shape=(10**12,))})),
    ("--config", lambda parts: ("[" * 100_000).encode()),
    ("--config", lambda parts: ('{"seed": ' + "9" * 5000 + "}").encode()),
])
@pytest.mark.slow      # runs the command line as a process
def test_the_command_line_refuses_crafted_files_with_one_line_and_exit_2(tmp_path, flag, make):
    path = tmp_path / ("weights.npz" if flag == "--resume" else "settings.json")
    path.write_bytes(make(good_parts()))
    done = subprocess.run([sys.executable, "-m", "mlp", flag, str(path), "--steps", "1", "--no-report", "--quiet",
                           "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_valid_file_still_loads_whole():
    parts = good_parts(steps=7)
    loaded = load_trainer(packed(parts))
    assert loaded.step == 7
    assert np.array_equal(loaded.net.params, parts["params"])
    assert set(parts_of(save_trainer(loaded))) == set(parts)


def test_a_file_larger_than_any_weights_file_is_refused_unread(tmp_path):
    from mlp.run.checkpoint import MAX_FILE_BYTES
    refused(b"PK\x03\x04" + bytes(MAX_FILE_BYTES), "more than any playground network needs")
    path = tmp_path / "huge.npz"
    path.write_bytes(bytes(MAX_FILE_BYTES + 10))
    done = subprocess.run([sys.executable, "-m", "mlp", "--resume", str(path), "--out", str(tmp_path / "out")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "larger than 32 MB" in done.stderr and "Traceback" not in done.stderr
