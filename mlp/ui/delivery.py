"""The end of a live fragment's run: wait until its charts have left for the browser.

Streamlit drops a fragment's messages that are still queued when that fragment starts its next run
(ForwardMsgQueue.clear at every fragment start). On a busy server the browser's rerun timer has
usually asked again before the last run's charts were sent, so the next run starts at once and the
charts a student waited for never leave: with twenty students on one worker, bench/workshop.py
--client protocol counted every fragment run dropped unsent and 0 updates/s for the worst student.
So a run waits, holding no compute slot and not Python's lock, until its messages are sent (at most
MAX_WAIT_S).

Streamlit has no public call for "is this session's outbox empty"; streamlit_seams.outbox reaches
into its internals, and without them (another version, or AppTest) the wait is skipped.
"""
from __future__ import annotations

import time

from .streamlit_seams import outbox as _outbox

MAX_WAIT_S = 2.0
POLL_S = 0.005


def wait_until_sent(max_wait_s: float = MAX_WAIT_S) -> bool:
    """Sleep until this session's queued messages have been sent; False if they had not by max_wait_s."""
    queue = _outbox()
    if queue is None:
        return True
    deadline = time.monotonic() + max_wait_s
    while not queue.is_empty():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_S)
    return True
