"""What one animation frame costs the server, and how many bytes it sends.

    python bench/frame_cost.py            # about half a minute
    python bench/frame_cost.py --quick    # a few seconds

Every run has a long history (History one row short of full): the curves are as long as they get.
Two rows per case:
- "full frame": k training steps, the decision boundary over the 100×100 grid, every neuron's output
  for the network view, every chart's figure as a plain dict, and its JSON serialisation: what a
  paused page sends, and the last frame of every batch.
- "as played": what the live loop really does while playing (mlp/live/frame.py: train_batch): a batch
  of FRAMES_PER_BATCH frames, each with its training steps and decision boundary (50 x 50), every
  other chart every CHARTS_EVERY-th frame, serialised as the page sends them (each frame as changes
  from the one before, before WebSocket compression); time and bytes divided by the frames.
Goal: ≤ 5 ms per frame server-side and ≤ 100 KB per frame.

"frame ms" is the median of the repeats (the goal is judged on it), "best" the fastest repeat: this
machine's speed drifts by half within minutes, and the best repeat is what the code costs when
nothing else interferes.

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

from mlp.run.config import Config  # noqa: E402
from mlp.run.trainer import Trainer  # noqa: E402
from mlp.live.frame import Views, frame_figures, train_batch  # noqa: E402
from mlp.live.payload import chart_payload  # noqa: E402
from mlp.live.pace import FRAMES_PER_BATCH, RERUN_EVERY_S, TRAIN_SHARE  # noqa: E402

CASES = {
    "default page (2-4-2-2, batch 10)": Config(),
    "6 layers x 8 units, network view": Config(hidden=(8,) * 6),
}
STEPS_PER_FRAME = 3


def _frame(trainer: Trainer, views: Views) -> bytes:
    """One frame, serialised as the live charts send it (one payload per chart)."""
    report = trainer.run(STEPS_PER_FRAME)
    return b"".join(chart_payload([fig], 360, 0) for fig in frame_figures(trainer, report, views).values())


class _Played:
    """The live loop's batches, one after another, with its adapted steps per frame."""

    def __init__(self):
        self.steps_per_frame = STEPS_PER_FRAME

    def __call__(self, trainer: Trainer, views: Views) -> bytes:
        batch = train_batch(trainer, views, FRAMES_PER_BATCH, self.steps_per_frame, TRAIN_SHARE * RERUN_EVERY_S)
        self.steps_per_frame = batch.steps_per_frame
        # one payload per chart: the boundary's holds every frame, the others every CHARTS_EVERY-th
        return b"".join(chart_payload([f[name] for f in batch.frames if name in f], 360, 0)
                        for name in batch.frames[-1])


def _fill_history(trainer: Trainer) -> None:
    """Frames of one step until the run's History is one row short of full: a long run's curves, the
    largest a frame gets (one row more and History halves itself)."""
    while len(trainer.history) < trainer.history.capacity - 1:
        trainer.run(1)


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
    print(f"{'case':38} {'frame ms':>9} {'best':>6} {'go.Figure ms':>13} {'ratio':>7} {'KB/frame':>9} {'go.Figure KB':>13}")
    with threadpool_limits(1, "blas"):
        for name, config in CASES.items():
            ours, theirs, played = [], [], []
            trainer, playing, play = Trainer(config), Trainer(config), _Played()
            for t in (trainer, playing):             # warm-up, and a long run's curves
                _fill_history(t)
            for _ in range(repeats):
                ours.append(_median_ms(_frame, trainer, views, n))
                theirs.append(_median_ms(_baseline, trainer, views, max(1, n // 4)))
                played.append(_median_ms(play, playing, views, max(1, n // 4)) / FRAMES_PER_BATCH)
            for t in (trainer, playing):
                _fill_history(t)
            size = len(_frame(trainer, views)) / 1e3
            played_size = len(play(playing, views)) / 1e3 / FRAMES_PER_BATCH
            base_size = len(_baseline(trainer, views).encode()) / 1e3
            a, b, c = statistics.median(ours), statistics.median(theirs), statistics.median(played)
            print(f"{name:38} {a:9.2f} {min(ours):6.2f} {b:13.2f} {a / b:6.2f}x {size:9.1f} {base_size:13.1f}  "
                  f"{'ok' if a <= 5 and size <= 100 else 'MISS'}  (full frame)")
            print(f"{'':38} {c:9.2f} {min(played):6.2f} {'':13} {c / b:6.2f}x {played_size:9.1f} {'':13}  "
                  f"{'ok' if c <= 5 and played_size <= 100 else 'MISS'}  (as played: {FRAMES_PER_BATCH} frames "
                  f"per batch, {play.steps_per_frame} steps each, "
                  f"{play.steps_per_frame * playing.seconds_per_step * 1e3:.1f} ms of them training)")


if __name__ == "__main__":
    main()
