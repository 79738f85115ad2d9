"""The one live loop of every page: while playing, rerun the part of the page that moves.

A fragment reruns every RERUN_EVERY_S while its state plays (mlp/live/pace.py says why so seldom, and
how each rerun carries several frames). Every rerun computes in a compute slot (at most one session
per core: mlp/live/compute_slots.py), counts the frame, draws, brings the whole page back when the
playing stopped by itself (divergence, tripwire, target: the Play button must turn back), and waits
until its charts have left for the browser (streamlit_seams.wait_until_sent: Streamlit drops a fragment's unsent
messages when its next run starts).
"""
from __future__ import annotations

from typing import Callable, Protocol, TypeVar

import streamlit as st

from mlp.live.compute_slots import compute_slot
from mlp.live.pace import RERUN_EVERY_S

from mlp.ui.streamlit_seams import wait_until_sent

Frames = TypeVar("Frames")


class Playing(Protocol):
    """What the loop reads and counts of a page's state (a Run, a lab's state)."""
    playing: bool
    frame: int              # reruns drawn so far: each chart's revision


def live_loop(state: Playing, compute: Callable[[], Frames], draw: Callable[[Frames], None]) -> None:
    """Run `compute()` (train while state.playing, build the figures) in a compute slot, then
    `draw(what it returned)`, now and, while state.playing, every RERUN_EVERY_S."""

    @st.fragment(run_every=RERUN_EVERY_S if state.playing else None)
    def _live() -> None:
        was_playing = state.playing
        with compute_slot():
            frames = compute()
        state.frame += 1
        draw(frames)
        if was_playing and not state.playing:
            st.rerun(scope="app")
        wait_until_sent()

    _live()
