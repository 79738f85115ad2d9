"""A student's side of the class wall: the membership this session joined, and the snapshots it posts.

The Playground's live fragment calls `post_snapshot` on every rerun; while playing it posts at most
every POST_EVERY_S (and at once when the run's state changes: paused, diverged), so the teacher's
wall, which rereads every WALL_EVERY_S, is at most POST_EVERY_S + WALL_EVERY_S behind. A paused run
posts whenever its step or state changes (a Step, a Reset): those come at a human pace. A session that
joined no class does nothing here. What is posted is the snapshot (mlp/class_wall.py) and the run's
checkpoint, nothing else; leaving deletes the card.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from mlp import class_wall
from mlp.checkpoint import save_trainer
from mlp.store import KEEP, MAX_WEIGHT_BYTES, new_student_id, open_store
from mlp.stuck_units import StuckWatch

from .state import Run

SESSION_KEY = "class_membership"
POST_EVERY_S = 1.0
WEIGHTS_EVERY_S = 5.0   # the checkpoint (for the teacher's Open) goes along at most this often: it is
                        # most of a post's cost (1.5 of 2.2 ms for the default net)


@dataclass
class Membership:
    class_id: str
    student_id: str
    name: str
    title: str
    challenge: dict | None = None
    reached: dict | None = None       # when this run met `challenge`: {"step", "n_params"}
    last_post: float = 0.0            # time.monotonic() of the last post ...
    last_weights: float = -1e9        # ... and of the last one that carried the weights
    last_seen: tuple = (None, None)   # (state, step) of the last post
    problem: str | None = None        # why the last post failed, if it did


def membership() -> Membership | None:
    return st.session_state.get(SESSION_KEY)


def join(class_id: str, title: str, name: str, challenge: dict | None) -> Membership:
    m = Membership(class_id, new_student_id(), name, title, challenge)
    st.session_state[SESSION_KEY] = m
    return m


def leave() -> None:
    """Remove this student's card and stop posting."""
    m = st.session_state.pop(SESSION_KEY, None)
    if m is not None:
        open_store().leave(m.class_id, m.student_id)


def _weights(run: Run) -> bytes | None:
    """The run's checkpoint, when it can fit the store's cap: the weights, the last good ones and up
    to two optimizer vectors, 8 bytes each, barely compress. A bigger net's card cannot be opened."""
    if 4 * 8 * run.trainer.net.params.size > MAX_WEIGHT_BYTES:
        return None
    return save_trainer(run.trainer)


def post_snapshot(run: Run, watch: StuckWatch) -> None:
    """Post this run's snapshot to the class wall when this session is in a class and one is due."""
    m = membership()
    if m is None or run.report is None:
        return
    state = class_wall.run_state(run.playing, run.report, {a.kind for a in watch.alarms()})
    now, seen = time.monotonic(), (state, run.report.step)
    if seen == m.last_seen or (run.playing and state == m.last_seen[0] and now - m.last_post < POST_EVERY_S):
        return
    m.last_post, m.last_seen = now, seen
    try:
        store = open_store()
        info = store.class_info(m.class_id)
        if info is None:                        # the teacher erased the class (or it expired)
            st.session_state.pop(SESSION_KEY, None)
            return
        if info.challenge != m.challenge:
            m.challenge, m.reached = info.challenge, None
        if m.reached is None and class_wall.meets(m.challenge, run.trainer, run.report):
            m.reached = {"step": int(run.report.step), "n_params": int(run.trainer.net.params.size)}
        snap = class_wall.snapshot(run.trainer, run.report, state, m.reached)
        if now - m.last_weights >= WEIGHTS_EVERY_S or not run.playing:
            weights, m.last_weights = _weights(run), now
        else:
            weights = KEEP
        store.post(m.class_id, m.student_id, m.name, snap, weights)
        m.problem = None
    except Exception as err:    # the wall is an extra: a database hiccup must never stop a student's run
        m.problem = f"{type(err).__name__}: {str(err)[:200]}"
