"""Take-home files: settings JSON, data CSV, history CSV and the standalone NumPy script (run on its own)."""
import ast
import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest

from mlp.engine.activations import ACTIVATIONS
from mlp.run.config import Config
from mlp.engine.datasets import FEATURES, featurize, grid
from mlp.run.run_files import data_csv, history_csv, settings_json, standalone_script
from mlp.engine.network import MLP
from mlp.engine.outputs import OUTPUTS
from mlp.run.trainer import Trainer


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_settings_json_names_every_setting_and_reads_back_equal():
    config = Config(dataset="spiral", features=("x1", "x2", "x1x2"), hidden=(8, 8), activation="relu",
                    optimizer="momentum", lr=0.03, batch_size=16)
    text = settings_json(Trainer(config))
    written = json.loads(text)
    assert written["dataset"] == "spiral" and written["features"] == ["x1", "x2", "x1x2"]
    assert written["hidden"] == [8, 8] and written["lr"] == 0.03 and written["batch_size"] == 16
    assert written["noise"] == Config().noise                      # untouched settings are written too
    assert Config.from_json(text) == config


@pytest.mark.parametrize("dataset", ["blobs", "multi_gauss"])
def test_data_csv_holds_every_point_exactly(dataset):
    config = Config(dataset=dataset, n_samples=90, noise=0.3,
                    output="linear" if dataset == "multi_gauss" else "softmax")
    trainer = Trainer(config)
    table = rows(data_csv(trainer))
    d = trainer.data
    assert len(table) == 90 == len(d.X_train) + len(d.X_test)
    train = [r for r in table if r["split"] == "train"]
    test = [r for r in table if r["split"] == "test"]
    assert np.array_equal([[float(r["x1"]), float(r["x2"])] for r in train], d.X_train)
    assert np.array_equal([[float(r["x1"]), float(r["x2"])] for r in test], d.X_test)
    if dataset == "blobs":
        assert [int(r["label"]) for r in test] == d.y_test.tolist()
        assert set(int(r["label"]) for r in table) == {0, 1, 2}
    else:
        assert np.array_equal([float(r["target"]) for r in train], d.y_train)


def test_history_csv_has_a_row_per_record_and_a_column_per_layer():
    trainer = Trainer(Config(hidden=(5, 4, 3)))
    reports = [trainer.run(7) for _ in range(3)]
    table = rows(history_csv(trainer))
    assert [int(r["step"]) for r in table] == [7, 14, 21]
    for r, report in zip(table, reports):
        assert np.float32(r["train_loss"]) == np.float32(report.train_loss)
        assert np.float32(r["test_accuracy"]) == np.float32(report.test_metric)
        norms = [np.float32(r[f"grad_norm_layer{l}"]) for l in (1, 2, 3, 4)]
        assert np.array_equal(norms, report.signals.grad_norm.astype(np.float32))
    assert "grad_norm_layer5" not in table[0]
    assert {"epoch", "lr", "weight_norm_layer4", "update_ratio_layer1", "delta_mean_abs_layer2"} <= set(table[0])


def test_history_csv_names_the_regression_metric_r2():
    trainer = Trainer(Config(dataset="plane", output="linear"))
    trainer.run(3)
    assert {"train_r2", "test_r2"} <= set(rows(history_csv(trainer))[0])


def script_namespace(trainer):
    namespace = {"__name__": "exported"}
    exec(compile(standalone_script(trainer), "exported.py", "exec"), namespace)
    return namespace


def float64_twin(trainer):
    """The same net in float64: what the script should compute from the same (float32) weights."""
    net = trainer.net
    twin = MLP(net.sizes, activation=net.activation.name, output=net.output.name, dtype="float64")
    twin.set_params(net.params.astype(np.float64))
    return twin


CASES = [dict(activation=a) for a in ACTIVATIONS] + [
    dict(output="sigmoid"), dict(dataset="blobs", n_classes=5), dict(dataset="multi_gauss", output="linear"),
    dict(features=tuple(FEATURES)),
]


@pytest.mark.parametrize("changes", CASES, ids=lambda c: "-".join(map(str, c.values())))
def test_the_script_predicts_what_the_net_predicts(changes):
    trainer = Trainer(Config(hidden=(6, 5), lr=0.1, **changes))
    trainer.run(30)
    ns = script_namespace(trainer)
    for (W, b), W_net, b_net in zip(ns["LAYERS"], trainer.net.weights, trainer.net.biases, strict=True):
        assert np.array_equal(W, W_net) and np.array_equal(b, b_net[0])      # the weights, exactly
    _, _, points = grid(40)
    expected = float64_twin(trainer).predict(featurize(points, trainer.config.features))
    got = ns["predict"](points)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)
    # and the float32 net itself agrees to float32 precision
    np.testing.assert_allclose(got, trainer.net.predict(featurize(points, trainer.config.features)),
                               rtol=2e-4, atol=2e-5)


def test_a_float64_net_is_reproduced_to_1e_6():
    trainer = Trainer(Config(dataset="spiral", hidden=(8, 8), lr=0.1, features=("x1", "x2", "sin_x1")),
                      dtype="float64")
    trainer.run(50)
    _, _, points = grid(50)
    expected = trainer.net.predict(featurize(points, trainer.config.features))
    np.testing.assert_allclose(script_namespace(trainer)["predict"](points), expected, rtol=1e-6, atol=1e-12)


def test_the_script_uses_only_numpy_and_runs_on_its_own(tmp_path):
    trainer = Trainer(Config(dataset="xor", hidden=(4,), activation="relu"))
    trainer.run(20)
    source = standalone_script(trainer)
    imported = {alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    assert imported == {"sys", "numpy"}
    path = tmp_path / "net.py"
    path.write_text(source)
    done = subprocess.run([sys.executable, str(path), "1.5", "-2", "0", "0", "-4", "3.25"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    table = rows(done.stdout)
    assert list(table[0]) == ["x1", "x2", "p_class0", "p_class1"]
    points = np.array([[1.5, -2], [0, 0], [-4, 3.25]])
    printed = np.array([[float(r["p_class0"]), float(r["p_class1"])] for r in table])
    np.testing.assert_allclose(printed, float64_twin(trainer).predict(points), rtol=1e-6)
    bad = subprocess.run([sys.executable, str(path), "1"], capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "usage" in bad.stderr


def test_every_registered_formula_is_written_for_the_script():
    from mlp.run.run_files import ACTIVATION_CODE, FEATURE_CODE, OUTPUT_CODE
    assert set(ACTIVATION_CODE) == set(ACTIVATIONS)
    assert set(FEATURE_CODE) == set(FEATURES)
    assert set(OUTPUT_CODE) == set(OUTPUTS)
    z = np.linspace(-5, 5, 41)
    for name, code in ACTIVATION_CODE.items():
        engine = ACTIVATIONS[name].fn(z.copy(), np.empty_like(z))
        np.testing.assert_allclose(eval(code, {"np": np, "z": z}), engine, rtol=1e-12, atol=1e-15, err_msg=name)
    X = np.random.default_rng(0).uniform(-6, 6, (20, 2))
    for name, code in FEATURE_CODE.items():
        value = eval(code, {"np": np, "x1": X[:, 0], "x2": X[:, 1]})
        np.testing.assert_array_equal(value, FEATURES[name].fn(X), err_msg=name)
