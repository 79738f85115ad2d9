"""mlp/live/frame.py: a playing batch's frames, and the payload that carries them to the browser."""
import json

import numpy as np

from mlp.run.config import Config
from mlp.live import pace
from mlp.live.frame import Views, train_batch
from mlp.live.payload import Held, chart_payload, read_chart_payload
from mlp.run.trainer import Trainer


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
    # and the pace the browser plays them back by: pace.py's own numbers, not copies in the JavaScript
    assert read_chart_payload(data) == {"frames": boundaries, "height": 360, "revision": 3,
                                        "pace": {"pauseMs": pace.FIRST_AFTER_PAUSE_S * 1000,
                                                 "smoothing": pace.SMOOTHING}}


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


def test_every_chart_of_a_playing_batch_reads_back_frame_by_frame():
    """While playing, the boundary is in every frame and every other chart in every CHARTS_EVERY-th;
    each chart's frames go as changes from the one before, and decode to the frames themselves."""
    trainer = Trainer(Config())
    batch = train_batch(trainer, Views(), n_frames=8, steps_per_frame=3, budget_s=0.01)
    assert len(batch.frames) == 8 and pace.CHARTS_EVERY == 2
    assert [set(f) for f in batch.frames[0::2]] == [{"boundary"}] * 4
    charts = {"boundary", "loss", "grad_norms", "network", "activations", "gradients"}
    assert [set(f) for f in batch.frames[1::2]] == [charts] * 4
    # the boundary while playing: a 50 x 50 grid drawn smoothed; the neurons 12 x 12
    assert batch.frames[0]["boundary"]["data"][0]["zcodes"]["shape"] == [50, 50]
    assert batch.frames[0]["boundary"]["data"][0]["zsmooth"] == "fast"
    blocks = [t["zcodes"] for t in batch.frames[1]["network"]["data"] if "zcodes" in t]
    assert blocks and all(b["block"] == 12 and b["shape"][1] == 12 for b in blocks)
    for name in charts:
        figs = [f[name] for f in batch.frames if name in f]
        assert read_chart_payload(chart_payload(figs, 300, 2))["frames"] == figs, name


def test_a_curve_that_grows_sends_only_its_new_points():
    """A loss curve one point longer each frame costs 4 bytes per float32 array per frame."""
    def curve(n):
        x = np.arange(n, dtype=np.float32)
        return {"data": [{"x": {"dtype": "f4", "bdata": x.tobytes()}, "y": {"dtype": "f4", "bdata": (x / 7).tobytes()},
                          "mode": "lines"}],
                "layout": {"xaxis": {"range": [0, n]}}}
    frames = [curve(n) for n in (100, 101, 102, 103)]
    data = chart_payload(frames, 300, 0)
    first = chart_payload(frames[:1], 300, 0)
    n, n1 = int.from_bytes(data[:4], "little"), int.from_bytes(first[:4], "little")
    assert len(data) - 4 - n == len(first) - 4 - n1 + 3 * 2 * 4     # three frames, two arrays, one float32
    header = json.loads(data[4:4 + n])
    later = header["frames"][1]
    assert set(later["data"][0]["@patch"]) == {"x", "y"} and "@ext" in later["data"][0]["@patch"]["x"]["@patch"]["bdata"]
    assert later["layout"] == {"@patch": {"xaxis": {"@patch": {"range": {"@items": [{"@prev": 1}, 101]}}}}}
    assert read_chart_payload(data)["frames"] == frames


def test_bytes_of_the_same_length_go_as_deltas_mod_256():
    before = {"data": [{"zcodes": {"codes": bytes([250, 3, 7, 7]), "lo": 0.0}}], "layout": {}}
    after = {"data": [{"zcodes": {"codes": bytes([2, 255, 7, 8]), "lo": 0.0}}], "layout": {}}
    data = chart_payload([before, after], 300, 0)
    n = int.from_bytes(data[:4], "little")
    # (2 - 250) mod 256 = 8, (255 - 3) = 252, unchanged 0, +1: the tail holds the first codes, then these
    assert data[4 + n:] == bytes([250, 3, 7, 7]) + bytes([8, 252, 0, 1])
    assert read_chart_payload(data)["frames"] == [before, after]


def test_changes_cover_new_dropped_and_retyped_values():
    before = {"data": [{"a": 1, "b": [1, 2, 3], "c": {"d": 1}, "nan": float("nan"), "gone": 0}, {"same": 1}],
              "layout": {"title": "x", "shapes": [{"x": 1}]}}
    after = {"data": [{"a": 2, "b": [1, 2], "c": [4], "nan": float("nan"), "new": {"e": b"\x01"}}, {"same": 1},
                      {"extra": True}],
             "layout": {"title": "x", "shapes": [{"x": 2}]}}
    payload = read_chart_payload(chart_payload([before, after], 300, 0))
    got = payload["frames"][1]
    assert got["data"][0]["nan"] is None                  # a NaN outside a typed array travels as null
    got["data"][0]["nan"] = after["data"][0]["nan"]
    assert got == after and payload["frames"][0]["data"][0]["gone"] == 0
    # numpy arrays (sent as lists) compare as unequal values, not as an error
    arrays = [{"data": [{"x": np.array([1.0, v])}], "layout": {}} for v in (2.0, 3.0)]
    assert [f["data"][0]["x"] for f in read_chart_payload(chart_payload(arrays, 300, 0))["frames"]] == [[1.0, 2.0],
                                                                                                       [1.0, 3.0]]


def test_a_batch_that_stops_on_a_boundary_only_frame_still_ends_with_every_chart():
    """A target reached in the first frame (one that would carry the boundary alone) ends the batch
    there, and that frame carries every chart, with the layer signals the histograms need."""
    trainer = Trainer(Config(target_loss=10.0))             # the most it takes: the first loss is below it
    batch = train_batch(trainer, Views(), n_frames=10, steps_per_frame=2, budget_s=0.01)
    assert batch.stopped and len(batch.frames) == 1
    assert {"boundary", "loss", "network", "activations", "gradients"} <= set(batch.frames[0])
    assert batch.report.signals is not None and batch.report.reached_target


def test_a_payload_that_continues_the_last_sends_only_what_changed_since():
    """A curve 100 points long sent whole, then continued from it (Held) by two frames of 101 and 102
    points: the second payload's binary part is the 2 new points of its 2 float32 arrays, and the
    unchanged layout goes as a mark; read from the held figure, its frames are the curves."""
    def curve(n):
        x = np.arange(n, dtype=np.float32)
        return {"data": [{"x": {"dtype": "f4", "bdata": x.tobytes()}, "y": {"dtype": "f4", "bdata": (x / 7).tobytes()},
                          "mode": "lines"}],
                "layout": {"title": {"text": "loss"}, "xaxis": {"range": [0, 200]}}}
    first = chart_payload([curve(100)], 300, 0, id="a.1")
    later = chart_payload([curve(101), curve(102)], 300, 1, id="a.2", held=Held("a.1", curve(100)))
    n = int.from_bytes(later[:4], "little")
    assert len(later) - 4 - n == 2 * 2 * 4
    header = json.loads(later[4:4 + n])
    assert header["base"] == "a.1" and header["id"] == "a.2"
    assert header["frames"][0]["layout"] == {"@prev": 1}
    assert read_chart_payload(later, Held("a.1", read_chart_payload(first)["frames"][-1]))["frames"] == [curve(101),
                                                                                                     curve(102)]
