"""Take-home files of a run as text: the settings as JSON, the data and the history as CSV, the net as
a NumPy script.

The weights file itself is mlp/run/checkpoint.py; the HTML report is mlp/figures/report_html.py.
Numbers are written so they read back exactly: float64 data with repr, float32 history and weights
with the shortest text that gives the same float32 back.
"""
from __future__ import annotations

import textwrap

import numpy as np

from mlp.run.config import FIELDS
from mlp.run.trainer import Trainer

# How the standalone script writes each registered feature, activation and output in plain NumPy.
# Keyed by the registries' names; tests/test_exports.py checks every registered entry has one that
# computes the same numbers as the engine, so a new activation cannot be forgotten here.
FEATURE_CODE = {
    "x1": "x1", "x2": "x2", "x1_sq": "x1 ** 2", "x2_sq": "x2 ** 2", "x1x2": "x1 * x2",
    "sin_x1": "np.sin(x1)", "sin_x2": "np.sin(x2)",
}
ACTIVATION_CODE = {
    "tanh": "np.tanh(z)",
    "sigmoid": "1.0 / (1.0 + np.exp(-z))",
    "relu": "np.maximum(z, 0.0)",
    "leaky_relu": "np.maximum(z, 0.01 * z)",
    "elu": "np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))",
    "linear": "z",
}
OUTPUT_CODE = {
    "softmax": ("one probability per class",
                "e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum(axis=1, keepdims=True)"),
    "sigmoid": ("the probability of class 1", "return 1.0 / (1.0 + np.exp(-z))"),
    "linear": ("the predicted value", "return z"),
}


def settings_json(trainer: Trainer) -> str:
    """The run's settings as JSON (Config.to_json), the file `python -m mlp --config` reads."""
    return trainer.config.to_json() + "\n"


def data_csv(trainer: Trainer) -> str:
    """The training and test points: split, x1, x2 and the label (classes) or target (regression)."""
    d = trainer.data
    classification = trainer.config.problem == "classification"
    lines = ["split,x1,x2," + ("label" if classification else "target")]
    for split, X, y in (("train", d.X_train, d.y_train), ("test", d.X_test, d.y_test)):
        for (x1, x2), v in zip(X.tolist(), y.tolist()):
            lines.append(f"{split},{x1!r},{x2!r},{int(v) if classification else repr(float(v))}")
    return "\n".join(lines) + "\n"


def _history_headers(trainer: Trainer) -> list[tuple[str, str, int | None]]:
    """(CSV column, history column, layer index or None) in the order they are written."""
    metric = "accuracy" if trainer.config.problem == "classification" else "r2"
    out = [("step", "step", None), ("epoch", "epoch", None), ("lr", "lr", None),
           ("train_loss", "train_loss", None), ("test_loss", "test_loss", None),
           (f"train_{metric}", "train_metric", None), (f"test_{metric}", "test_metric", None)]
    for name, shape in trainer.history.shapes.items():
        if shape:
            out += [(f"{name}_layer{l + 1}", name, l) for l in range(shape[0])]
    return out


def history_csv(trainer: Trainer) -> str:
    """One row per recorded moment of the run (the history keeps at most 1024, evenly spread).

    Per layer (1 = first hidden layer, the last is the output layer): grad_norm ‖dW‖, weight_norm ‖W‖,
    update_ratio ‖ΔW‖/‖W‖ and delta_mean_abs mean |δ|.
    """
    h = trainer.history
    headers = _history_headers(trainer)
    columns = []
    for _, name, layer in headers:
        values = h.column(name) if layer is None else h.column(name)[:, layer]
        if name == "step":
            columns.append([str(int(v)) for v in values])
        else:
            columns.append([str(v) for v in values])     # a NumPy float32's str is its shortest text
    rows = [",".join(row) for row in zip(*columns)]
    return "\n".join([",".join(c for c, _, _ in headers), *rows]) + "\n"


def _array_code(a: np.ndarray) -> str:
    text = np.array2string(a, separator=", ", threshold=a.size + 1, floatmode="unique",
                           max_line_width=110, prefix=" " * 14)
    return f"np.array({text}, dtype=np.{a.dtype.name})"


def standalone_script(trainer: Trainer) -> str:
    """A short Python file, NumPy only, with the trained weights inside, that predicts like the net.

    `python net.py x1 x2 [x1 x2 ...]` prints CSV (x1, x2, the outputs); `predict(points)` returns
    the output layer (m, n_out) for points (m, 2), computed in float64.
    """
    c, net = trainer.config, trainer.net
    h = trainer.history
    what, output_body = OUTPUT_CODE[c.output]
    n_out = net.sizes[-1]
    if c.output == "softmax":
        out_names = [f"p_class{k}" for k in range(n_out)]
    else:
        out_names = ["p_class1"] if c.output == "sigmoid" else ["value"]
    layers = "\n".join(f"W{l + 1} = {_array_code(W)}\nb{l + 1} = {_array_code(b[0])}"
                       for l, (W, b) in enumerate(zip(net.weights, net.biases)))
    inputs = ", ".join(FEATURE_CODE[f] for f in c.features)
    # no item holds a space inside a string, so wrapping at spaces keeps it valid Python
    settings = textwrap.fill(", ".join(f"{f.key!r}: {getattr(c, f.key)!r}" for f in FIELDS), width=108,
                             initial_indent="SETTINGS = {", subsequent_indent=" " * 12, break_long_words=False, break_on_hyphens=False)
    trained = f"Trained {trainer.step} steps"
    if len(h):
        trained += f"; training loss {h.last('train_loss'):.4g}, test loss {h.last('test_loss'):.4g}"
    return f'''"""A network trained in the neural network playground, as plain NumPy.

{c.dataset} data; inputs {", ".join(c.features)}; layers {"-".join(map(str, net.sizes))}; {c.activation} hidden units,
{c.output} output ({what}). {trained}.

    python this_file.py 1.5 -2 0 0      # predict the points (1.5, -2) and (0, 0): prints CSV
    predict(points)                     # points (m, 2) -> outputs (m, {n_out})
"""
import sys

import numpy as np

{settings}}}

# Each layer computes z = a @ W + b (W is (inputs, units)); weights as trained, in {net.dtype.name}.
{layers}
LAYERS = [{", ".join(f"(W{l + 1}, b{l + 1})" for l in range(net.n_layers))}]
OUTPUT_NAMES = {out_names!r}


def features(points):
    """points (m, 2) of (x1, x2) -> the network's inputs (m, {len(c.features)})."""
    x1, x2 = points[:, 0], points[:, 1]
    return np.column_stack([{inputs}])


def activation(z):
    return {ACTIVATION_CODE[c.activation]}


def output(z):
    """{c.output}: {what}."""
    {output_body}


def predict(points):
    """points (m, 2) -> the output layer (m, {n_out}), in float64."""
    a = features(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    for i, (W, b) in enumerate(LAYERS):
        z = a @ W.astype(np.float64) + b.astype(np.float64)
        a = activation(z) if i < len(LAYERS) - 1 else output(z)
    return a


if __name__ == "__main__":
    try:
        numbers = [float(t) for t in sys.argv[1:]]
    except ValueError:
        numbers = []
    if not numbers or len(numbers) % 2:
        sys.exit("usage: python " + sys.argv[0] + " x1 x2 [x1 x2 ...]   (pairs of numbers)")
    points = np.array(numbers).reshape(-1, 2)
    print(",".join(["x1", "x2", *OUTPUT_NAMES]))
    for point, out in zip(points, predict(points)):
        print(",".join(repr(float(v)) for v in (*point, *out)))
'''
