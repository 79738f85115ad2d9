"""The dead / saturated alarm: a banner naming the layer, the share of its units, the likely cause, and
one-click remedies that go through the page's own config change (mlp/ui/state.py: Run.propose).

Each page keeps one StuckWatch per run (mlp/run/stuck_units.py) in the session, started afresh with
every new trainer. The banner lives inside the page's live fragment, so it appears while playing;
a remedy reruns the whole app so the settings in the sidebar follow.
"""
from __future__ import annotations

import streamlit as st

from mlp.engine.activations import ACTIVATIONS
from mlp.run.stuck_units import STRETCH_STEPS, Alarm, StuckWatch, stuck_units

from mlp.ui.state import Run

KEY = "stuck_watches"
LR_DIVISOR = 10


def watch_for(run: Run, page: str) -> StuckWatch:
    """This page's watch over `run`'s trainer: a new one when the trainer is new."""
    watches = st.session_state.setdefault(KEY, {})
    trainer, watch = watches.get(page, (None, None))
    if trainer is not run.trainer:
        watch = StuckWatch()
        watches[page] = (run.trainer, watch)
    return watch


def observe(run: Run, page: str) -> StuckWatch:
    """Show the watch the trainer's current state (for pages that do not build frame_figures)."""
    watch, t = watch_for(run, page), run.trainer
    watch.observe(t.step, stuck_units(t.net, t.X_train), t.config.activation)
    return watch


def alarm_text(alarms: list[Alarm], activation: str, lr: float, network_view: bool = True) -> str:
    """The banner's words: each alarming layer and the share of its units, what that does, the likely
    cause. `alarms` all of one kind (one net has one activation)."""
    label, kind = ACTIVATIONS[activation].label, alarms[0].kind
    lines = [f"**Layer {a.layer}: {a.n_stuck} of {a.n_units} units ({a.share:.0%}) {a.kind}** "
             + ("since initialisation" if a.from_start else f"since step {a.since:,}") for a in alarms]
    text = "  \n".join(lines) + f"  \nOn the whole training set, for at least {STRETCH_STEPS} steps" + (
        "; outlined in red in the network view." if network_view else ".")
    if kind == "dead":
        text += (" A ReLU unit whose input is negative for every training point outputs 0 everywhere and gets no "
                 "gradient back, so plain gradient descent never revives it.")
        whole = [a.layer for a in alarms if a.n_stuck == a.n_units]
        if whole:
            text += (f" Layer {whole[-1]} is dead as a whole: no gradient reaches layers 1–{whole[-1]}, and their "
                     "‖dW‖ sits on the “0: dead” floor.")
        if all(a.from_start for a in alarms):
            text += (" **Likely cause:** the initial weights switch these units off for every input (deep or narrow "
                     "layers make that likelier).")
        else:
            text += (f" **Likely cause:** a learning rate too high for ReLU ({lr:g}): one large step pushed their "
                     "weights and biases to where no input switches them on.")
    else:
        text += (f" Their {label} slope is under 1% of its peak on most training points, so they pass back almost "
                 f"no gradient. **Likely cause:** weights too large for {label.lower()} (the initial scale, or a "
                 f"learning rate of {lr:g} that grew them), so the inputs land in its flat tails.")
    return text


def _apply(run: Run, **changes) -> None:
    """A remedy: through Run.propose like any setting, then a fresh start of the run, since units
    that are stuck stay stuck whatever the new setting."""
    if run.propose(**changes) and run.trainer.step:
        run.reset()


def alarm_banner(run: Run, watch: StuckWatch, key: str, network_view: bool = True) -> None:
    """The banner naming every alarming layer, and its remedies (nothing while no layer alarms).
    network_view: the page has one, which outlines the units."""
    alarms = watch.alarms()
    if not alarms:
        return
    c = run.config
    with st.container(border=True):
        st.warning(alarm_text(alarms, c.activation, c.lr, network_view), icon=":material/ac_unit:")
        cols = st.columns(3)
        remedies = [(f"Lower the learning rate to {c.lr / LR_DIVISOR:g} and restart", {"lr": c.lr / LR_DIVISOR}),
                    ("Switch to leaky ReLU", {"activation": "leaky_relu"}),
                    ("Reset", None)]
        for i, (col, (label, changes)) in enumerate(zip(cols, remedies)):
            if col.button(label, key=f"{key}_remedy_{i}", use_container_width=True):
                if changes is None:
                    run.reset()
                else:
                    _apply(run, **changes)
                st.rerun(scope="app")
