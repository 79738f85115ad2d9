"""How fast is one training step? mlp's engine against a naive NumPy loop, scikit-learn and PyTorch.

    python bench/engine.py            # full run, about a minute on a 2-core machine
    python bench/engine.py --quick    # a few seconds: a smoke test, numbers are rough

Every number is microseconds per training step (forward, loss, backward, update): the median over R
repeats of a timing block of n steps, after warm-up. The repeats are interleaved (repeat r times the
naive block, then the engine block, then sklearn, torch, engine+signals) so that machine noise hits
every column alike. Each column gets its own n, chosen so that one block lasts about the same time.

Columns: naive = mlp/harness/naive.py (float64, written from the math); engine =
mlp.engine.step.train_step_unchecked on a float32 mlp.MLP with mlp.SGD; sklearn = MLPClassifier.partial_fit
(float64; for two classes it uses one logistic output unit) divided by the updates per call;
torch = float32, one thread, nn.Sequential + CrossEntropyLoss + optim.SGD, loss.item() every step;
engine+signals = one train_step plus mlp.run.signals.collect_signals after EVERY step (the trainer
itself collects once per run(n)).
All use lr 0.1, tanh hidden units, softmax output (except sklearn's binary case), no momentum/decay.
NumPy's BLAS runs on one thread by default (see --blas-threads), like torch.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import numpy as np  # noqa: E402

import mlp  # noqa: E402
from mlp.engine.datasets import grid, make_dataset, one_hot  # noqa: E402
from mlp.engine.step import train_step_unchecked as train_step  # noqa: E402  (the trainer's path: no checks)

from mlp.harness.naive import NaiveMLP  # noqa: E402

try:
    import torch
except Exception:   # not installed (or broken): its columns print "n/a"
    torch = None

LR = 0.1
GOAL_ENGINE_VS_NAIVE = 0.5
GOAL_ENGINE_VS_TORCH = 0.35
GOAL_SIGNALS_VS_NAIVE = 0.6


# ---------------------------------------------------------------------------------------------
# The benchmark configurations

class Config:
    def __init__(self, name, sizes, X, y, batch):
        self.name, self.sizes, self.batch = name, list(sizes), batch
        n_classes = sizes[-1]
        m = len(X) if batch is None else (len(X) // batch) * batch   # whole batches only
        self.X = np.ascontiguousarray(X[:m], np.float64)
        self.y = np.asarray(y[:m], np.int64)
        self.Y = one_hot(self.y, n_classes)
        self.batch_size = m if batch is None else batch
        self.updates_per_epoch = m // self.batch_size
        # the batches every column cycles through, in this (already shuffled) order
        self.slices = [slice(i, i + self.batch_size) for i in range(0, m, self.batch_size)]


def two_d(n, seed=0):
    ds = make_dataset("circle", n + 1, 0.1, n / (n + 1), seed)   # n train points, 1 test point
    return ds.X_train, ds.y_train


def digits():
    from sklearn.datasets import load_digits
    data = load_digits()
    X = data.data / 16.0                      # pixel values 0..16 -> [0, 1]
    order = np.random.default_rng(0).permutation(len(X))
    return X[order], data.target[order]


def configs():
    return [
        Config("2-8-8-2, 500, full batch", [2, 8, 8, 2], *two_d(500), None),
        Config("2-64-64-64-2, 1000, full batch", [2, 64, 64, 64, 2], *two_d(1000), None),
        Config("2-(32x10)-2, 500, full batch", [2] + [32] * 10 + [2], *two_d(500), None),
        Config("64-128-64-10 digits, batch 64", [64, 128, 64, 10], *digits(), 64),
    ]


# ---------------------------------------------------------------------------------------------
# Runners: each returns step() that performs ONE training update (cycling over the batches)

def _cycler(cfg, X, Y, contiguous=np.ascontiguousarray):
    batches = [(contiguous(X[s]), contiguous(Y[s])) for s in cfg.slices]
    state = {"i": 0}
    n = len(batches)

    def next_batch():
        i = state["i"]
        state["i"] = i + 1 if i + 1 < n else 0
        return batches[i]
    return next_batch


def naive_runner(cfg):
    net = NaiveMLP(cfg.sizes, seed=0)
    next_batch = _cycler(cfg, cfg.X, cfg.Y)

    def step():
        Xb, Yb = next_batch()
        net.step(Xb, Yb, LR)
    return step


def engine_net(cfg, seed=0):
    return mlp.MLP(cfg.sizes, activation="tanh", output="softmax", init="xavier_normal", seed=seed)


def engine_runner(cfg, optimizer=None):
    net = engine_net(cfg)
    opt = optimizer if optimizer is not None else mlp.SGD(lr=LR)
    next_batch = _cycler(cfg, cfg.X.astype(net.dtype), cfg.Y.astype(net.dtype))

    def step():
        Xb, Yb = next_batch()
        train_step(net, opt, Xb, Yb)
    return step


def matmuls_only_runner(cfg):
    """Only the matrix products one exact training step cannot avoid, in float32 on preallocated arrays.

    Forward Z[l] = A[l-1] @ W[l], dW[l] = A[l-1].T @ delta[l], delta[l-1] = delta[l] @ W[l].T: a
    floor for any exact float32 engine on this BLAS (no activation, loss, update or bias at all).
    """
    rng = np.random.default_rng(0)
    m = cfg.batch_size
    acts = [rng.standard_normal((m, n)).astype(np.float32) for n in cfg.sizes]
    weights = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(cfg.sizes[:-1], cfg.sizes[1:])]
    z = [np.empty((m, b), np.float32) for b in cfg.sizes[1:]]
    dws = [np.empty_like(W) for W in weights]
    deltas = [np.empty((m, a), np.float32) for a in cfg.sizes[:-1]]

    def step():
        for l, W in enumerate(weights):
            np.matmul(acts[l], W, out=z[l])
        for l in range(len(weights) - 1, -1, -1):
            np.matmul(acts[l].T, acts[l + 1], out=dws[l])
            if l:
                np.matmul(acts[l + 1], weights[l].T, out=deltas[l])
    return step


def engine_with_signals_step(cfg):
    """One train_step plus the per-layer signal collection, as a step() runner; None if unavailable.

    Mirrors mlp.run.trainer.Trainer.run: train_step keeps the pre-update weights in `last_good`, then
    mlp.run.signals.collect_signals(net, last_good) reads histograms and norms from the net's workspace.
    The trainer collects once per run(n); here it is done after EVERY step (the worst case, one
    animation frame per step). Returns None (column "n/a") if that API is missing.
    """
    try:
        from mlp.run.signals import collect_signals
    except ImportError:
        return None
    net = engine_net(cfg)
    opt = mlp.SGD(lr=LR)
    last_good = net.copy_params()
    next_batch = _cycler(cfg, cfg.X.astype(net.dtype), cfg.Y.astype(net.dtype))

    def step():
        Xb, Yb = next_batch()
        train_step(net, opt, Xb, Yb, last_good=last_good)
        collect_signals(net, last_good)
    return step


def sklearn_runner(cfg):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier(hidden_layer_sizes=tuple(cfg.sizes[1:-1]), activation="tanh", solver="sgd",
                        learning_rate_init=LR, momentum=0, batch_size=cfg.batch_size, alpha=0,
                        max_iter=1, shuffle=False, random_state=0)
    classes = np.arange(cfg.sizes[-1])
    X, y = cfg.X, cfg.y
    warnings.simplefilter("ignore", ConvergenceWarning)      # main() scopes this with catch_warnings
    clf.partial_fit(X, y, classes=classes)      # initialises the weights

    def epoch():     # cfg.updates_per_epoch updates in one call
        clf.partial_fit(X, y)
    return epoch


def torch_runner(cfg):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(cfg.sizes[:-1], cfg.sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out))
        if i < len(cfg.sizes) - 2:
            layers.append(torch.nn.Tanh())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    next_batch = _cycler(cfg, torch.tensor(cfg.X, dtype=torch.float32), torch.tensor(cfg.y),
                         contiguous=lambda t: t.contiguous())

    def step():
        Xb, yb = next_batch()
        opt.zero_grad()
        loss = loss_fn(model(Xb), yb)
        loss.backward()
        opt.step()
        loss.item()         # the engine hands back the loss as a Python float every step too
    return step


# ---------------------------------------------------------------------------------------------
# Timing

def calibrate(fn, target_s, max_calls=100_000):
    """Warm fn up and pick how many calls make a block of about target_s seconds."""
    for _ in range(3):
        fn()
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= target_s / 4 or calls >= max_calls:
            break
    return max(1, min(max_calls, round(calls * target_s / elapsed)))


def block(fn, calls):
    t0 = time.perf_counter()
    for _ in range(calls):
        fn()
    return time.perf_counter() - t0


def time_interleaved(runners, repeats, target_s):
    """runners: {name: (fn, steps_per_call) or None} -> {name: median µs per step or None}."""
    live = {k: v for k, v in runners.items() if v is not None}
    calls = {k: calibrate(fn, target_s) for k, (fn, _) in live.items()}
    samples = {k: [] for k in live}
    order = list(live)
    for r in range(repeats):
        for k in order[r % len(order):] + order[:r % len(order)]:    # rotate who goes first
            fn, per_call = live[k]
            samples[k].append(block(fn, calls[k]) / (calls[k] * per_call) * 1e6)
    return {k: (statistics.median(samples[k]) if k in samples else None) for k in runners}


# ---------------------------------------------------------------------------------------------
# Printing

def fmt_us(x):
    return "n/a" if x is None else (f"{x:,.0f}" if x >= 100 else f"{x:.1f}")


def fmt_ratio(num, den, goal):
    if num is None or den is None:
        return "n/a"
    r = num / den
    digits = 3 if abs(r - goal) < 0.005 else 2     # never print "0.50x MISS" against a 0.5 goal
    return f"{r:.{digits}f}x {'ok' if r <= goal else 'MISS'}"


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return ", ".join(f"{i['internal_api']} {i.get('version') or '?'} x{i['num_threads']} thread(s)"
                         for i in threadpool_info() if i["user_api"] == "blas") or "?"
    except Exception:
        return "?"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="few, short repeats: a smoke run of a few seconds")
    ap.add_argument("--blas-threads", type=int, default=1, metavar="N",
                    help="threads for NumPy's (and scikit-learn's) BLAS; 0 = the library default. Default 1, "
                         "like torch here: on a small shared machine a multi-threaded OpenBLAS stalls "
                         "on these small matrices (steps 10-100x slower at random)")
    args = ap.parse_args(argv)
    repeats, target = (3, 0.01) if args.quick else (21, 0.06)
    if args.blas_threads > 0:
        try:
            from threadpoolctl import threadpool_limits
            _limits = threadpool_limits(args.blas_threads, user_api="blas")  # noqa: F841 (kept for the run)
        except ImportError:
            print("threadpoolctl is missing: BLAS keeps its default thread count")

    print(f"µs per training step, median of {repeats} interleaved repeats; numpy {np.__version__}, "
          f"BLAS: {blas_info()}; torch {torch.__version__ + ' (1 thread)' if torch else 'n/a'}")
    if torch is None:
        print("(the torch columns need PyTorch, which requirements.txt leaves out: pip install torch==2.13.0; "
              "its CPU build is enough, the comparison runs on one thread)")
    print(f"goals: engine <= {GOAL_ENGINE_VS_NAIVE}x naive, <= {GOAL_ENGINE_VS_TORCH}x torch; "
          f"engine+signals <= {GOAL_SIGNALS_VS_NAIVE}x naive")
    cols = ["config", "naive f64", "engine", "eng/naive", "sklearn", "torch f32", "eng/torch",
            "eng+signals", "(e+s)/naive"]
    widths = [32, 10, 8, 12, 9, 10, 12, 12, 12]
    print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cols, widths))))

    cfgs = configs()
    extras = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        for i, cfg in enumerate(cfgs):
            signals = engine_with_signals_step(cfg)
            runners = {
                "naive": (naive_runner(cfg), 1),
                "engine": (engine_runner(cfg), 1),
                "sklearn": (sklearn_runner(cfg), cfg.updates_per_epoch),
                "torch": (torch_runner(cfg), 1) if torch is not None else None,
                "signals": (signals, 1) if signals is not None else None,
            }
            t = time_interleaved(runners, repeats, target)
            row = [f"{i + 1}. {cfg.name}", fmt_us(t["naive"]), fmt_us(t["engine"]),
                   fmt_ratio(t["engine"], t["naive"], GOAL_ENGINE_VS_NAIVE), fmt_us(t["sklearn"]),
                   fmt_us(t["torch"]), fmt_ratio(t["engine"], t["torch"], GOAL_ENGINE_VS_TORCH),
                   fmt_us(t["signals"]), fmt_ratio(t["signals"], t["naive"], GOAL_SIGNALS_VS_NAIVE)]
            print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths))),
                  flush=True)

        # the floor: what the matrix products alone cost beside the engine and torch
        if torch is not None:
            for i, cfg in enumerate(cfgs):
                t = time_interleaved({"floor": (matmuls_only_runner(cfg), 1), "engine": (engine_runner(cfg), 1),
                                      "torch": (torch_runner(cfg), 1)}, repeats, target)
                extras.append((f"config {i + 1}: the matrix products alone (engine {fmt_us(t['engine'])}, torch "
                               f"{fmt_us(t['torch'])}; floor/torch {t['floor'] / t['torch']:.2f}x)", t["floor"]))

        # reference costs: the decision-boundary grid and an Adam step
        points = grid(100)[2]
        nets = {i: engine_net(cfgs[i]) for i in (0, 2)}
        t = time_interleaved({i: (lambda net=net: net.predict(points), 1) for i, net in nets.items()},
                             repeats, target)
        for i in nets:
            extras.append((f"engine forward (net.predict) over the 100x100 grid, config {i + 1}", t[i]))
        adam_cfg = cfgs[0]
        adam = mlp.Adam(lr=0.01)
        net = engine_net(adam_cfg)
        X32, Y32 = adam_cfg.X.astype(net.dtype), adam_cfg.Y.astype(net.dtype)
        train_step(net, adam, X32, Y32)
        t = time_interleaved({"sgd": (engine_runner(adam_cfg), 1),
                              "adam": (engine_runner(adam_cfg, mlp.Adam(lr=0.01)), 1),
                              "adam_update": (lambda: adam.step(net, net.grads), 1)}, repeats, target)
        extras.append(("engine train_step with Adam, config 1 (SGD alongside: "
                       f"{fmt_us(t['sgd'])})", t["adam"]))
        extras.append(("  of which Adam's parameter update alone", t["adam_update"]))

    print()
    for label, us in extras:
        print(f"{label:<64} {fmt_us(us):>8} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
