"""The session's memory budget in the pages (mlp/run/session_budget.py): what this tab holds now, across
every page it opened, and the check a page makes before building more trainers.

What the tab holds is found, not registered: every Trainer reachable from st.session_state through the
pages' state objects (the Playground's Run, each lab's dataclass, the Initialization lab's Comparison),
so a new lab is counted without remembering to. Each is estimated from its config and points.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from mlp.run.session_budget import held_bytes
from mlp.run.trainer import Trainer

DEPTH = 4           # Run.trainer, InitLab.comparison.trainers[name], CompareLab.pair.trainers[side]


def trainers_in(value, depth: int = DEPTH):
    """Every Trainer inside `value`: itself, or inside its dataclass fields, dicts, lists and tuples, or
    the `trainers` dict of an object that keeps one (the Initialization lab's Comparison)."""
    if isinstance(value, Trainer):
        yield value
        return
    if depth == 0:
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        children = [getattr(value, f.name, None) for f in dataclasses.fields(value)]
    elif isinstance(value, dict):
        children = list(value.values())
    elif isinstance(value, (list, tuple)):
        children = list(value)
    elif isinstance(getattr(value, "trainers", None), dict):
        children = list(value.trainers.values())
    else:
        return
    for child in children:
        yield from trainers_in(child, depth - 1)


def held(replacing=None) -> int:
    """Estimated bytes of every trainer this tab holds, but those inside `replacing` (what the change
    being checked would drop)."""
    dropped = {id(t) for t in trainers_in(replacing)} if replacing is not None else set()
    kept = {}
    for key in list(st.session_state.keys()):
        for trainer in trainers_in(st.session_state[key]):
            if id(trainer) not in dropped:
                kept[id(trainer)] = trainer
    return held_bytes(kept.values())
