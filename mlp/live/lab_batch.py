"""A lab's batch of frames while playing, paced by the same rule as the Playground's (mlp/live/pace.py).

Each rerun of a playing page trains a few small chunks and sends a frame after each, which the
browser plays back evenly (mlp/ui/plotly_live.js). How many frames: `Pace.frames_per_batch`; how many
steps in each: steered by `pace.steps_per_frame` so that the batch's training takes about TRAIN_SHARE
of the time between reruns; the busiest chart gets every frame, the others every CHARTS_EVERY-th; a
batch that would compute for more than BATCH_BUDGET_S ends early. The Playground's own batch
(mlp/live/frame.py: train_batch) follows the same rule with its boundary as the busiest chart.

No Streamlit here: the tests and the bench drive it as a page does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from mlp.live import pace

TRAIN_BUDGET_S = pace.TRAIN_SHARE * pace.RERUN_EVERY_S      # of training per batch, all its frames together


@dataclass
class LabBatch:
    frames: list[dict[str, dict]]     # per frame, chart name -> figure
    steps_per_frame: int              # what the next batch starts from
    stopped: bool                     # a stop (divergence) that pauses the page


def lab_batch(n_frames: int, steps_per_frame: int, train: Callable[[int], tuple[bool, float]],
              figures: Callable[[bool], dict[str, dict]]) -> LabBatch:
    """Train n_frames chunks of steps and draw a frame after each.

    train(n) trains n steps and returns (stopped, seconds one step took); figures(every_chart) returns
    the frame's figures: the busiest chart always, every chart when every_chart (every
    pace.CHARTS_EVERY-th frame and the last).
    """
    frames, started, stopped = [], time.perf_counter(), False
    for i in range(n_frames):
        stopped, seconds_per_step = train(steps_per_frame)
        steps_per_frame = pace.steps_per_frame(steps_per_frame, TRAIN_BUDGET_S / n_frames, seconds_per_step)
        spent = time.perf_counter() - started
        over_budget = i > 0 and spent * (i + 1) / i > pace.BATCH_BUDGET_S
        last = stopped or over_budget or i == n_frames - 1
        frames.append(figures(last or (i + 1) % pace.CHARTS_EVERY == 0))
        if last:
            break
    return LabBatch(frames, steps_per_frame, stopped)
