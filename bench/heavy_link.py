"""What the heaviest link a student may open costs one worker: memory per session and time per step.

    python bench/heavy_link.py

A session holds its Trainer (data, net, optimizer state, step-back checkpoints, history) and, while
playing, builds frames (the net on the 100×100 boundary grid, every neuron's thumbnail, histograms).
For each case this measures, in this process:
- "kept MB": memory the session keeps between reruns (tracemalloc: NumPy reports its buffers to it),
  after the trainer is built and has played a batch;
- "peak MB": the most it held at once while training and building one full frame;
- "step ms": one minibatch step (median of repeats), "frame ms": one full frame's figures.
Cases: the default page; the heaviest link the limits allowed before the cost cap (40 layers × 256
units × 2,000 points, Adam), built here by lifting the cap; and the heaviest links the cap allows
(the most weights at the most points, and at the fewest points).
"Thirty sessions" is 30 × kept MB: what a full room of the heaviest allowed link keeps in one worker.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from threadpoolctl import threadpool_limits  # noqa: E402

import mlp.run.config as config_module  # noqa: E402
from mlp.run.config import Config  # noqa: E402
from mlp.run.trainer import Trainer  # noqa: E402
from mlp.live.frame import Views, frame_figures  # noqa: E402

STEPS = 30


def measure(config: Config) -> dict:
    tracemalloc.start()
    trainer = Trainer(config)
    report = trainer.run(1)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        report = trainer.run(STEPS // 5)
        times.append((time.perf_counter() - started) / (STEPS // 5))
    kept = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    frame_figures(trainer, report, Views())
    frame_s = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"weights": config.n_weights, "cost": config.cost, "kept": kept / 1e6, "peak": peak / 1e6,
            "step": statistics.median(times) * 1e3, "frame": frame_s * 1e3}


def heaviest_allowed(n_samples: int, n_layers: int) -> Config:
    """The widest net of n_layers equal hidden layers that the cap allows at n_samples points."""
    width = config_module.MAX_WIDTH
    while True:
        try:
            return Config(hidden=(width,) * n_layers, n_samples=n_samples, optimizer="adam", batch_size=10)
        except config_module.ConfigError:
            width -= 1


def main() -> None:
    cases = [("default page (2-4-2-2, 500 points)", Config())]
    cap = config_module.MAX_COST
    config_module.MAX_COST = float("inf")            # the limits as they were before the cap
    cases.append(("before the cap: 40 x 256, 2000 points, Adam",
                  Config(hidden=(256,) * 40, n_samples=2000, optimizer="adam", batch_size=10)))
    config_module.MAX_COST = cap
    for n_samples, n_layers in ((2000, 40), (2000, 4), (500, 5), (20, 40)):
        c = heaviest_allowed(n_samples, n_layers)
        cases.append((f"cap: {n_layers} x {c.hidden[0]}, {n_samples} points, Adam", c))
    print(f"cost cap: weights x (points + output grid) <= {cap:,}")
    print(f"{'case':46} {'weights':>10} {'cost':>14} {'kept MB':>8} {'peak MB':>8} {'step ms':>8} "
          f"{'frame ms':>9} {'30 sessions MB':>15}")
    with threadpool_limits(1):          # a worker's session computes on one core (compute_slots.py)
        for name, config in cases:
            m = measure(config)
            print(f"{name:46} {m['weights']:>10,} {m['cost']:>14,} {m['kept']:>8.1f} {m['peak']:>8.1f} "
                  f"{m['step']:>8.2f} {m['frame']:>9.1f} {30 * m['kept']:>15.0f}")


if __name__ == "__main__":
    main()
