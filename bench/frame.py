"""What one animation frame costs the server, and how many bytes it sends.

    python bench/frame.py            # about half a minute
    python bench/frame.py --quick    # a few seconds

A frame is what the Playground's live loop does per drawn update: k training steps (the steps per
frame the page adapts to), the decision boundary over the 100×100 grid, every neuron's output for the
network view, every chart's figure as a plain dict, and its JSON serialisation. Goal: ≤ 5 ms per
frame server-side and ≤ 100 KB per frame.

Baseline, measured in the same run: the same figures built as plotly.graph_objects.Figure and
serialised with fig.to_json() — what a page drawing them with st.plotly_chart would pay. Repeats are
interleaved and medians reported, as in bench/engine.py.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import plotly.graph_objects as go  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from mlp.config import Config  # noqa: E402
from mlp.trainer import Trainer  # noqa: E402
from mlp.ui.frame import Views, chart_payload, frame_figures  # noqa: E402

CASES = {
    "default page (2-4-2-2, batch 10)": Config(),
    "6 layers x 8 units, network view": Config(hidden=(8,) * 6),
}
STEPS_PER_FRAME = 3


def _frame(trainer: Trainer, views: Views) -> bytes:
    """One frame, serialised as the live charts send it (one payload per chart)."""
    report = trainer.run(STEPS_PER_FRAME)
    return b"".join(chart_payload([fig], 360, 0) for fig in frame_figures(trainer, report, views).values())


def _baseline(trainer: Trainer, views: Views) -> str:
    report = trainer.run(STEPS_PER_FRAME)
    figs = frame_figures(trainer, report, views, compact=False)
    return "".join(go.Figure(f).to_json() for f in figs.values())


def _median_ms(fn, trainer, views, n):
    start = time.perf_counter()
    for _ in range(n):
        fn(trainer, views)
    return (time.perf_counter() - start) / n * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats, n = (3, 5) if args.quick else (9, 20)
    views = Views(network=True, histograms=True)
    print(f"server ms per frame ({STEPS_PER_FRAME} training steps + all figures + JSON), median of {repeats} "
          "interleaved repeats; goal <= 5 ms and <= 100 KB per frame")
    print(f"{'case':38} {'frame ms':>9} {'go.Figure ms':>13} {'ratio':>7} {'KB/frame':>9} {'go.Figure KB':>13}")
    with threadpool_limits(1, "blas"):
        for name, config in CASES.items():
            ours, theirs = [], []
            trainer = Trainer(config)
            for _ in range(20):                      # warm-up, and some history for the curves
                _frame(trainer, views)
            for _ in range(repeats):
                ours.append(_median_ms(_frame, trainer, views, n))
                theirs.append(_median_ms(_baseline, trainer, views, max(1, n // 4)))
            size = len(_frame(trainer, views)) / 1e3
            base_size = len(_baseline(trainer, views).encode()) / 1e3
            a, b = statistics.median(ours), statistics.median(theirs)
            verdict = "ok" if a <= 5 and size <= 100 else "MISS"
            print(f"{name:38} {a:9.2f} {b:13.2f} {a / b:6.2f}x {size:9.1f} {base_size:13.1f}  {verdict}")


if __name__ == "__main__":
    main()
