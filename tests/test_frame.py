"""mlp/live/frame.py: a playing batch's frames, and the payload that carries them to the browser."""
from mlp.config import Config
from mlp.trainer import Trainer
from mlp.live.frame import Views, train_batch
from mlp.live.payload import chart_payload, read_chart_payload


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
