"""A playing page's batch of frames, by the one rule of mlp/live/pace.py: the Playground's and every lab's.

Each rerun of a playing page trains a few small chunks and sends a frame after each, which the
browser plays back evenly (mlp/ui/plotly_live.js). How many frames: `Pace.frames_per_batch`; how many
steps in each: steered by `pace.steps_per_frame` so that the batch's training takes about budget_s
(TRAIN_SHARE of the time between reruns); the busiest chart gets every frame, the others every
CHARTS_EVERY-th and the last; a batch that would compute for more than BATCH_BUDGET_S ends early.
The Playground's batch (mlp/live/frame.py: train_batch) and the labs' (mlp/ui/*_page.py) are this loop
with their own training and figures.

No Streamlit here: the tests and the bench drive it as a page does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from mlp.live import pace

TRAIN_BUDGET_S = pace.TRAIN_SHARE * pace.RERUN_EVERY_S      # of training per batch, all its frames together


@dataclass
class PacedBatch:
    frames: list[dict[str, dict]]     # per frame, chart name -> figure
    steps_per_frame: int              # what the next batch starts from
    stopped: bool                     # a stop (divergence, tripwire, target) that pauses the page


def paced_batch(n_frames: int, steps_per_frame: int, train: Callable[[int, bool], tuple[bool, float]],
                figures: Callable[[bool, bool], dict[str, dict]], budget_s: float = TRAIN_BUDGET_S) -> PacedBatch:
    """Train n_frames chunks of steps and draw a frame after each.

    train(n, full) trains n steps and returns (stopped, seconds one step took); `full` says the frame is
    planned to carry every chart (every pace.CHARTS_EVERY-th and the last), so the page can skip what
    the others do not need. figures(every_chart, last) returns the frame's figures: the busiest chart
    always, every chart when every_chart (planned, or the last frame of a batch that ends early).
    """
    frames, started, stopped = [], time.perf_counter(), False
    for i in range(n_frames):
        planned = (i + 1) % pace.CHARTS_EVERY == 0 or i == n_frames - 1
        stopped, seconds_per_step = train(steps_per_frame, planned)
        # gently, so the pace does not jitter
        steps_per_frame = pace.steps_per_frame(steps_per_frame, budget_s / n_frames, seconds_per_step)
        spent = time.perf_counter() - started
        over_budget = i > 0 and spent * (i + 1) / i > pace.BATCH_BUDGET_S     # this frame would overrun
        last = stopped or over_budget or i == n_frames - 1
        frames.append(figures(planned or last, last))
        if last:
            break
    return PacedBatch(frames, steps_per_frame, stopped)
