"""How many frames a batch carries (mlp/live/pace.py), and the compute slots sessions share."""
import threading
import time

import pytest

from mlp.live import compute_slots, pace
from mlp.live.pace import FIRST_AFTER_PAUSE_S, FRAME_INTERVAL_S, FRAMES_PER_BATCH, MAX_FRAMES_PER_BATCH, Pace
from mlp.ui import streamlit_seams


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(pace.time, "monotonic", lambda: now[0])
    return now


def batches(p: Pace, clock, gaps) -> list[int]:
    out = []
    for gap in gaps:
        clock[0] += gap
        out.append(p.frames_per_batch())
    return out


def test_a_batch_fills_the_time_until_the_next_one(clock):
    p = Pace()
    # the first batch (nothing to go by), then batches every rerun interval: frames that play back at
    # FRAME_INTERVAL_S cover the time until the next batch, no more, no less
    counts = batches(p, clock, [100.0] + [pace.RERUN_EVERY_S] * 5)
    assert [n * FRAME_INTERVAL_S for n in counts] == pytest.approx([pace.RERUN_EVERY_S] * 6)
    # a busy server: batches 0.8 s apart get more frames, 0.8 / FRAME_INTERVAL_S once settled
    assert batches(p, clock, [0.8] * 30)[-1] == round(0.8 / FRAME_INTERVAL_S)
    # far apart: no more than the cap
    assert batches(p, clock, [3.0] * 30)[-1] == MAX_FRAMES_PER_BATCH


def test_a_rerun_that_waited_does_not_get_few_frames(clock):
    """On a busy server a rerun request that waited runs right after the last batch: a gap of a few ms,
    which must not make that batch short (the picture would stall until the next one)."""
    p = Pace()
    batches(p, clock, [100.0] + [1.0] * 20)
    settled = p.period
    after_short_gap = batches(p, clock, [0.01])[0]
    assert after_short_gap >= round(0.7 * settled / FRAME_INTERVAL_S) - 1 > FRAMES_PER_BATCH


def test_a_pause_starts_the_count_afresh(clock):
    p = Pace()
    batches(p, clock, [100.0] + [3.0] * 20)
    assert batches(p, clock, [FIRST_AFTER_PAUSE_S + 1])[0] == MAX_FRAMES_PER_BATCH   # the period it knew
    p = Pace()
    assert batches(p, clock, [FIRST_AFTER_PAUSE_S + 1]) == [FRAMES_PER_BATCH]


def test_no_more_sessions_compute_at_once_than_there_are_slots():
    inside, most, lock = [0], [0], threading.Lock()

    def session():
        with compute_slots.compute_slot():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            time.sleep(0.02)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=session) for _ in range(4 * compute_slots.SLOTS + 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most[0] == compute_slots.SLOTS          # all slots were used, never more


# -- delivery: a run waits until its charts have left ------------------------------------------
class FakeOutbox:
    def __init__(self, sent_after: int):
        self.polls, self.sent_after = 0, sent_after

    def is_empty(self) -> bool:
        self.polls += 1
        return self.polls > self.sent_after


def test_a_run_waits_until_its_messages_are_sent(monkeypatch):
    outbox = FakeOutbox(sent_after=5)
    monkeypatch.setattr(streamlit_seams, "outbox", lambda: outbox)
    assert streamlit_seams.wait_until_sent(max_wait_s=5.0)
    assert outbox.polls == 6                              # it looked until the queue was empty


def test_a_run_gives_up_waiting_after_max_wait(monkeypatch):
    outbox = FakeOutbox(sent_after=10**9)
    monkeypatch.setattr(streamlit_seams, "outbox", lambda: outbox)
    started = time.monotonic()
    assert not streamlit_seams.wait_until_sent(max_wait_s=0.05)
    assert time.monotonic() - started < 2.0


def test_without_a_server_there_is_nothing_to_wait_for():
    assert streamlit_seams.outbox() is None                    # no Streamlit runtime in this process
    assert streamlit_seams.wait_until_sent()
