"""Saving a trainer to .npz and loading it back: exact continuation, and every bad file refused in words."""
import io
import json
import pickle

import numpy as np
import pytest

from mlp.run.checkpoint import CheckpointError, load_trainer, save_trainer
from mlp.run.config import Config
from mlp.engine.datasets import Dataset
from mlp.run.trainer import Trainer

# minibatches that do not divide the training set, dropout and a schedule: every random and stateful
# part of training takes part
BUSY = dict(dataset="spiral", n_samples=120, hidden=(6, 5), batch_size=7, dropout=0.2, schedule="cosine",
            schedule_period=9, regularization="l2", reg_rate=0.01)


def history_columns(trainer):
    return {name: trainer.history.column(name).copy() for name in trainer.history.shapes}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_save_load_and_continue_is_bit_for_bit_the_same_run(optimizer, dtype):
    config = Config(optimizer=optimizer, lr=0.05, **BUSY)
    straight = Trainer(config, dtype=dtype)
    straight.run(23)
    straight.run(17)

    first = Trainer(config, dtype=dtype)
    first.run(23)
    loaded = load_trainer(save_trainer(first))
    assert loaded.step == 23 and loaded.config == config and loaded.net.dtype == first.net.dtype
    loaded.run(17)

    assert np.array_equal(loaded.net.params, straight.net.params)
    assert loaded.net.params.dtype == straight.net.params.dtype
    for name, column in history_columns(straight).items():
        assert np.array_equal(history_columns(loaded)[name], column), name
    # and it is the run a single call makes: chunking does not change training
    once = Trainer(config, dtype=dtype)
    once.run(40)
    assert np.array_equal(once.net.params, loaded.net.params)


def test_a_run_saved_before_its_first_step_starts_like_a_fresh_one():
    config = Config(optimizer="adam", **BUSY)
    loaded = load_trainer(save_trainer(Trainer(config)))
    fresh = Trainer(config)
    loaded.run(15)
    fresh.run(15)
    assert np.array_equal(loaded.net.params, fresh.net.params)


def test_the_loss_goes_on_from_where_it_was_not_from_the_start():
    trainer = Trainer(Config(lr=0.3, batch_size=50))
    start_loss = trainer.probe().train_loss
    report = trainer.run(300)
    loaded = load_trainer(save_trainer(trainer))
    again = loaded.probe()
    assert again.train_loss == pytest.approx(report.train_loss, rel=1e-6)
    assert again.train_loss < 0.5 * start_loss


def test_a_run_on_its_own_data_brings_that_data_back():
    rng = np.random.default_rng(5)
    X = rng.uniform(-6, 6, (40, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    data = Dataset(X[:30], y[:30], X[30:], y[30:], problem="classification", n_classes=2)
    trainer = Trainer(Config(dataset="user"), data=data)     # "Your data": the only sets with their own points
    trainer.run(5)
    loaded = load_trainer(save_trainer(trainer))
    assert np.array_equal(loaded.data.X_train, X[:30]) and np.array_equal(loaded.data.y_test, y[30:])
    assert np.array_equal(loaded.X_train, trainer.X_train)


def test_a_diverged_run_stays_diverged_with_its_last_good_weights():
    trainer = Trainer(Config(lr=10.0, init_gain=10.0, hidden=(16, 16, 16), activation="relu", output="softmax",
                             batch_size=500))
    report = trainer.run(200)
    assert report.diverged_at is not None
    loaded = load_trainer(save_trainer(trainer))
    assert loaded.diverged_at == report.diverged_at
    assert np.array_equal(loaded.net.params, trainer.net.params)
    assert np.isfinite(loaded.net.params).all()


# -- bad files -----------------------------------------------------------------------------------------


def good_arrays(**config):
    trainer = Trainer(Config(optimizer="adam", **config))
    trainer.run(3)
    with np.load(io.BytesIO(save_trainer(trainer)), allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def packed(arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def with_state(arrays, **changes):
    state = json.loads(str(arrays["state"]))
    state.update(changes)
    return {**arrays, "state": np.array(json.dumps(state))}


class Hostile:
    def __reduce__(self):
        return (print, ("this must never run",))


def test_the_good_file_itself_loads():      # so the variations below fail for their own reason
    assert load_trainer(packed(good_arrays())).step == 3


@pytest.mark.parametrize("make, message", [
    (lambda a: b"", "not a weights file"),
    (lambda a: b"step,loss\n1,0.5\n", "not a weights file"),
    (lambda a: pickle.dumps(Hostile()), "not a weights file"),
    (lambda a: packed(a)[:len(packed(a)) // 2], "damaged|not a weights file"),
    (lambda a: packed({**a, "params": np.array([Hostile()], dtype=object)}), "pickle"),
    (lambda a: packed({k: v for k, v in a.items() if k != "params"}), "misses params"),
    (lambda a: packed({**a, "format": np.array("something else")}), "format"),
    (lambda a: packed({**a, "params": a["params"][:-1]}), "params has shape"),
    (lambda a: packed({**a, "params": np.full_like(a["params"], np.nan)}), "NaN or infinite"),
    (lambda a: packed({**a, "params": a["params"].astype(str)}), "should hold numbers"),
    (lambda a: packed({**a, "config": np.array("{not json")}), "not valid JSON"),
    (lambda a: packed({**a, "config": np.array(json.dumps({"lr": -1}))}), "learning rate must be"),
    (lambda a: packed({**a, "config": np.array(json.dumps({"hidden": [8, 8]}))}), "shape"),
    (lambda a: packed({**a, "optimizer.v": np.zeros(3)}), "optimizer.v has shape"),
    (lambda a: packed({k: v for k, v in a.items() if k != "optimizer.m"}), "optimizer state"),
    (lambda a: packed({**a, "order": np.zeros_like(a["order"])}), "batch order"),
    (lambda a: packed({**a, "data.y_train": a["data.y_train"] + 5}), "labels must be 0 to 1"),
    (lambda a: packed({**a, "data.X_test": np.zeros((4, 3))}), r"shape \(m, 2\)"),
    (lambda a: packed({**a, "history.train_loss": a["history.train_loss"][:0]}), "history"),
    (lambda a: packed({**a, "state": np.array("[1, 2")}), "not valid JSON"),
    (lambda a: packed(with_state(a, cursor=10**6)), "cursor"),
    (lambda a: packed(with_state(a, step=-1)), "step"),
    (lambda a: packed(with_state(a, dtype="object")), "number type"),
    (lambda a: packed(with_state(a, order_rng={"bit_generator": "nonsense"})), "random state"),
    (lambda a: packed(with_state(a, optimizer_counters={"t": "many"})), "t is not valid"),
])
def test_a_bad_file_is_refused_with_a_message(make, message):
    raw = make(good_arrays())
    with pytest.raises(CheckpointError, match=message):
        load_trainer(raw)


def test_a_file_that_unpacks_to_too_much_is_refused_before_reading(monkeypatch):
    import mlp.run.checkpoint as checkpoint
    monkeypatch.setattr(checkpoint, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(CheckpointError, match="unpacks to"):
        load_trainer(save_trainer(Trainer(Config())))
