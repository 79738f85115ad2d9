"""A playing page's batch of frames follows the pace (mlp/live/paced_batch.py over mlp/live/pace.py), and the
labs' Back returns exactly to the state before the last run (Initialization's schemes, Compare's sides)."""
import numpy as np
import pytest

from mlp.lab import compare
from mlp.lab import initialization as init_lab
from mlp.live import pace
from mlp.live.paced_batch import TRAIN_BUDGET_S, paced_batch


def _batch(n_frames, steps, seconds_per_step=1e-4, stop_after=None):
    trained, full = [], []

    def train(n, full):
        trained.append(n)
        return stop_after is not None and len(trained) >= stop_after, seconds_per_step

    def figures(every_chart, last):
        full.append(every_chart)
        return {"busiest": {}, **({"other": {}} if every_chart else {})}

    return paced_batch(n_frames, steps, train, figures), trained, full


def test_the_busiest_chart_gets_every_frame_the_others_every_charts_every_th_and_the_last():
    batch, trained, full = _batch(12, 1)
    assert len(batch.frames) == len(trained) == 12 and not batch.stopped
    assert all("busiest" in f for f in batch.frames)
    assert full == [(i + 1) % pace.CHARTS_EVERY == 0 or i == 11 for i in range(12)]
    assert sum("other" in f for f in batch.frames) == 12 // pace.CHARTS_EVERY


def test_a_stop_ends_the_batch_with_every_chart():
    batch, trained, full = _batch(12, 1, stop_after=3)
    assert batch.stopped and len(batch.frames) == 3 and full[-1]


@pytest.mark.parametrize("seconds_per_step", [1e-5, 1e-4, 1e-3])
def test_steps_per_frame_settle_where_a_batch_trains_for_its_share_of_the_rerun(seconds_per_step):
    """TRAIN_SHARE of RERUN_EVERY_S training a batch, split evenly between its frames (at most pace's cap)."""
    steps = 1
    for _ in range(40):                       # smoothed: it gets there over a few batches
        batch, _, _ = _batch(12, steps, seconds_per_step)
        steps = batch.steps_per_frame
    wanted = min(pace.MAX_STEPS_PER_FRAME, max(1, TRAIN_BUDGET_S / 12 / seconds_per_step))
    assert steps == pytest.approx(wanted, rel=0.05, abs=1)


def test_initialization_back_returns_every_scheme_and_its_curve_and_replays_the_same_steps():
    preset = init_lab.PRESETS["tanh"]
    comp = init_lab.Comparison(preset.config.replace(hidden=(8, 8)), preset.schemes)
    comp.train(20)
    before = {n: comp.curve(n)[1].copy() for n in comp.schemes}
    comp.train(15)
    after = {n: comp.curve(n)[1].copy() for n in comp.schemes}
    comp.back()                              # the last chunk of train(15) (chunks of CHUNK = 10 steps)
    assert comp.step == 30
    comp.back()
    assert comp.step == 20 and all(np.array_equal(comp.curve(n)[1], before[n]) for n in comp.schemes)
    comp.train(15)                           # the same minibatches again: the same losses
    assert all(np.array_equal(comp.curve(n)[1], after[n]) for n in comp.schemes)


def test_compare_back_returns_both_sides_to_the_step_before():
    pair = compare.Pair.from_preset(compare.DEFAULT_PRESET)
    pair.train(5)
    weights = {s: t.net.params.copy() for s, t in pair.trainers.items()}
    pair.train(3)
    assert pair.can_step_back
    pair.back()
    assert all(t.step == 5 and np.array_equal(t.net.params, weights[s]) for s, t in pair.trainers.items())
