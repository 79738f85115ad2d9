"""mlp/live/frame.py: a playing batch's frames, and the payload that carries them to the browser."""
from mlp.config import Config
from mlp.live import pace
from mlp.live.frame import Views, train_batch
from mlp.live.payload import chart_payload, read_chart_payload
from mlp.trainer import Trainer


def test_a_batch_payload_sends_what_repeats_once_and_reads_back_whole():
    trainer = Trainer(Config())
    batch = train_batch(trainer, Views(), n_frames=6, steps_per_frame=2, budget_s=0.01)
    boundaries = [frame["boundary"] for frame in batch.frames]
    assert len(boundaries) == 6 and not batch.stopped
    data = chart_payload(boundaries, 360, 3)
    # the boundary moves between frames, the training points and the layout do not
    assert boundaries[0]["data"][0] != boundaries[1]["data"][0]
    assert boundaries[0]["data"][1] == boundaries[1]["data"][1] and boundaries[0]["layout"] == boundaries[1]["layout"]
    n = int.from_bytes(data[:4], "little")
    assert data[4:4 + n].count(b'{"@prev":1}') == 5 * (len(boundaries[0]["data"]) - 1 + 1)
    # after the first frame, each one costs its 100 x 100 grid (a byte a cell) and under 1 KB of JSON
    first = len(chart_payload(boundaries[:1], 360, 3))
    assert len(data) - first <= 5 * (100 * 100 + 1000)
    assert read_chart_payload(data) == {"frames": boundaries, "height": 360, "revision": 3}


def test_a_batch_over_its_time_budget_ends_early_with_a_full_last_frame(monkeypatch):
    """A heavy net's batch stops making frames once they would overrun pace.BATCH_BUDGET_S: with no
    budget at all, the second frame is the last (the first has nothing to estimate by), and it carries
    every chart, as a batch's last frame always does."""
    monkeypatch.setattr(pace, "BATCH_BUDGET_S", 0.0)
    trainer = Trainer(Config())
    batch = train_batch(trainer, Views(), n_frames=10, steps_per_frame=3, budget_s=0.02)
    assert len(batch.frames) == 2 and not batch.stopped
    assert set(batch.frames[0]) == {"boundary"} and {"boundary", "loss"} <= set(batch.frames[1])
    assert batch.report.step == trainer.step > 3              # two frames, at least 3 steps in the first
