"""A room on one server: at most one session per core trains and draws a frame at any moment.

Streamlit runs every session's script in its own thread of one process, and Python lets one thread
run at a time. With twenty students playing, twenty threads took turns with the event loop that sends
their charts and receives their clicks, and the event loop got too few turns (bench/workshop.py,
N = 20 Chromium pages: 1.2 updates/s median and 0 for the worst student without slots, 3.6 and 2.3
with them; mlp/ui/streamlit_seams.py: wait_until_sent mends the other half of that stall). A session waiting for a slot sleeps
without holding Python's lock, so the event loop keeps its share and the sessions take turns in
order of arrival. One slot per core, so a session's NumPy work that runs outside Python's lock
still has a core to run on.

This is the one piece of state the sessions of a process share on purpose; it holds no data.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

SLOTS = os.cpu_count() or 2
_slots = threading.BoundedSemaphore(SLOTS)


@contextmanager
def compute_slot():
    """Hold one of the process's SLOTS while training and building a frame's figures."""
    with _slots:
        yield
