"""How often a playing page reruns, and how many frames each rerun carries.

Every rerun of a live fragment costs the student's browser about a quarter of a second of CPU,
however little it carries: Streamlit re-renders the fragment's elements and the page's layout
(measured in Chromium here: 230-300 ms per rerun of the Playground, whether it brings 4 frames or
20). What a page costs its browser is therefore set by its reruns per second, and what it shows by
its frames per second. So a page reruns only every RERUN_EVERY_S and each rerun carries several
frames, which the browser plays back evenly until the next one (mlp/ui/plotly_live.py).

Measured with bench/workshop.py (every student a Chromium page on the server's own 2 cores):
rerunning every 0.05 s, ten students stalled at 0 updates/s (the browser asks for a rerun on a plain
timer, done or not); every 0.2 s with 4-10 frames, ten got 3.5 and twenty could not start; every 0.5 s
with 10-40 frames (and compute_slots.py, mlp/ui/streamlit_seams.py: wait_until_sent), ten get 16 and twenty 3.7 (worst 2.8).

When the server or the browsers are busy, a session's reruns come further apart; each then carries
more frames (up to MAX_FRAMES_PER_BATCH), so the pictures keep coming about every FRAME_INTERVAL_S.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

RERUN_EVERY_S = 0.5
# 24 frames a second: a rerun's batch reaches the page a little later than RERUN_EVERY_S after the
# last (the run's own time); at 10 frames a batch the boundary was drawn 19 times a second, the other
# charts 9.6, at 11 19.3 and 11.2, at 12 20.1 and 11 (bench/browser_frames.py at 1280 x 720, the stage),
# against the goal of 20 and 10.
FRAME_INTERVAL_S = RERUN_EVERY_S / 12
FRAMES_PER_BATCH = round(RERUN_EVERY_S / FRAME_INTERVAL_S)
# A busy server's batches come seconds apart, and each must then carry their time's frames: thirty
# students on one worker get a batch every 2-3 s (bench/workshop.py --client protocol), and a cap of
# 2 s of frames held them to 13 a second. 66 boundaries, as played (50 x 50 cells), are ~0.17 MB.
MAX_FRAMES_PER_BATCH = 6 * FRAMES_PER_BATCH
# The decision boundary gets every frame (20 a second), every other chart every CHARTS_EVERY-th (10 a
# second): a Plotly redraw costs the browser 20-50 ms, and the boundary is the view that shows the
# learning. Their frames travel as changes from the one before (mlp/live/payload.py), so a curve's
# frame costs its new points.
CHARTS_EVERY = 2
FIRST_AFTER_PAUSE_S = 15.0         # a longer gap between batches is a pause, not a busy server
TRAIN_SHARE = 0.04                 # of each rerun interval, spent on training steps
# A batch computes for about this long at most: a heavy net (the cost cap's largest, ~1 s a frame for its
# 100 x 100 boundary) gets fewer frames per batch rather than holding its compute slot for seconds.
BATCH_BUDGET_S = 0.5 * RERUN_EVERY_S
MAX_STEPS_PER_FRAME = 50           # steps in one frame, at most
SMOOTHING = 0.3                    # how far one measurement moves a smoothed figure (the browser's too)


def smoothed(previous: float, measured: float) -> float:
    """The one smoothing rule of the pace: gently, so neither the pace nor the steps per frame jitter."""
    return (1 - SMOOTHING) * previous + SMOOTHING * measured


def steps_per_frame(previous: int, budget_s: float, seconds_per_step: float,
                    at_most: int = MAX_STEPS_PER_FRAME) -> int:
    """Steps for the next frame, so a frame's training takes about budget_s (1 to at_most)."""
    target = budget_s / max(seconds_per_step, 1e-6)
    return int(min(at_most, max(1, round(smoothed(previous, target)))))


@dataclass
class Pace:
    """One session's rhythm: when its last batch of frames was made, how far apart batches come."""
    last_batch_at: float = 0.0
    period: float = RERUN_EVERY_S          # seconds between batches, smoothed

    def frames_per_batch(self) -> int:
        """Frames for the batch being made now: enough to fill the time until the next one."""
        now = time.monotonic()
        gap, self.last_batch_at = now - self.last_batch_at, now
        if gap < FIRST_AFTER_PAUSE_S:      # the first batch after a pause has nothing to go by
            # smoothed: a rerun that waited runs right after the last one, and must not get few frames
            self.period = smoothed(self.period, gap)
        return int(min(MAX_FRAMES_PER_BATCH, max(FRAMES_PER_BATCH, round(self.period / FRAME_INTERVAL_S))))
