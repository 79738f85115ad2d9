"""The Playground's stage: one screen of a 1280 x 720 projector, laid out as TF Playground's.

A one-line header; a bar with Play / Step / Back / Reset, the counters and the most-used training
settings; then DATA | FEATURES → HIDDEN LAYERS → OUTPUT (the last two live: mlp/ui/stage_live.py). Every
other setting is one click away, in the sidebar; the explanations sit in hover help and in "What am
I looking at?".
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from mlp.run.config import MAX_SEED
from mlp.engine.datasets import DATASETS
from mlp.run.own_points import USER_SETS

from mlp.ui import class_session, lesson_controls, lesson_follow, streamlit_seams as seams
from mlp.ui.controls import field_widget, relevant, settings_apply, settings_key
from mlp.ui.dataset_picker import dataset_picker
from mlp.ui.own_points_panel import edit_controls
from mlp.ui.page import page_links, play_buttons, share_popover
from mlp.ui.state import Run, go_to_challenge
from mlp.ui.weight_editor import weight_editor

PROBLEM_KEY = "stage_problem"
PROBLEMS = {"classification": "Classification", "regression": "Regression"}

EXPLANATION = """
**The data** (left): a toy problem of points on a plane, each of a class (orange or blue) or with a value.
Some of them train the net (half, unless you change the training share), the others test it (switch on
*Show test data* to see them).

**The network** (middle): the features on the left are what the net sees of each point; each square to
their right is one neuron, drawn as its output over the whole plane, so you can watch the layers build
ever more complex shapes out of simple ones. Links are weights: blue positive, orange negative, thicker
is larger. The small square at a neuron's corner is its bias.

**The output** (right): the net's prediction over the plane, with the points on top, and the loss over
the steps: training (solid) and test (dashed), and for classes the test accuracy (dotted green, read on
the right-hand axis from 0 to 1). Below the stage, how large a gradient reaches each layer:
watch it vanish or explode as you change the activation, the initialization or the depth.

Every setting is kept in the address: copy it to give someone this exact run. More settings
(initialization, optimizer, batch size, dropout, your own data, saving) are behind *All settings*.
"""


_HERE = Path(__file__).resolve().parent
_open_sidebar = st.components.v2.component(
    "mlp_open_sidebar", js=(_HERE / "open_sidebar.js").read_text("utf-8"),
    css=".mlp-open-sidebar { width: 100%; height: 2.5rem; border: 1px solid rgba(49, 51, 63, 0.2); "
        "border-radius: 0.5rem; background: white; font: inherit; cursor: pointer; white-space: nowrap; } "
        ".mlp-open-sidebar:hover { border-color: #0877bd; color: #0877bd; }")


def header(run: Run) -> None:
    """Title, the labs, every setting, "What am I looking at?" and the link to this run, on one line."""
    # the first and last columns leave room for Streamlit's sidebar and menu buttons over the header
    _, title, member, labs, settings, what, share, _ = st.columns([0.25, 2.6, 3.0, 1.3, 1.55, 2.1, 1.25, 0.45],
                                                                  vertical_alignment="center")
    with title:                   # in a class's lesson: the step's button (its text, goal, hints) instead
        if not lesson_follow.step_panel():
            st.markdown("**Neural network playground**")
    with member:                  # names are text, never markup (member_line escapes them)
        class_session.member_line(run, go_to_challenge)
    with labs:
        page_links()
    with settings:
        _open_sidebar(data={"label": "⚙ All settings", "close_label": "✕ Close settings",
                            "expand": seams.EXPAND_SIDEBAR, "collapse": seams.COLLAPSE_SIDEBAR,
                            "sidebar": seams.SIDEBAR,
                            "help": "Initialization, optimizer, batch size, dropout, your own data, saving: "
                                    "the sidebar", "close_help": "Close the sidebar"}, key="open_sidebar")
    with what.popover("What am I looking at?", width="stretch"):
        st.markdown(EXPLANATION)
    with share:
        share_popover(run, tfp=True)


def _problem_changed(run: Run) -> None:
    wanted = st.session_state.get(PROBLEM_KEY)
    if wanted and wanted != run.config.problem:
        first = next(name for name, spec in DATASETS.items() if spec.problem == wanted and name not in USER_SETS)
        settings_apply(run, "dataset", first)


def _problem_type(run: Run, container) -> None:
    """TF Playground's "Problem type": choosing one switches to its first data set."""
    allowed = lesson_controls.rules().control("dataset", "Classification: each point has a class. Regression: each point "
                                                   "has a value to predict.")
    if allowed is None:
        return
    st.session_state[PROBLEM_KEY] = run.config.problem
    container.selectbox("Problem type", list(PROBLEMS), format_func=PROBLEMS.get, key=PROBLEM_KEY,
                        on_change=_problem_changed, args=(run,), **allowed)


def top_bar(run: Run):
    """Play / Step / Back / Reset, the counters, and the most-used settings; returns the counters'
    placeholder (the live part writes the epoch and step there)."""
    cols = st.columns([1.25, 1.1, 1.1, 1.15, 2.2, 1.6, 1.4, 1.55, 1.0, 1.7], vertical_alignment="bottom")
    play_buttons(run, cols[:4])
    counters = cols[4].empty()
    for key, col in zip(("lr", "activation", "regularization", "reg_rate"), cols[5:9]):
        field_widget(key, getattr(run.config, key), key=settings_key(key), on_change=settings_apply, args=(run, key),
                     container=col, label="Rate λ" if key == "reg_rate" else None,
                     disabled=key == "reg_rate" and run.config.regularization == "none")
    _problem_type(run, cols[9])
    return counters


def data_column(run: Run) -> None:
    """DATA: the data sets' pictures (a click picks one), the noise, clicking points on and off the
    plane (beside it, so it stays in view on a projector), and fresh points."""
    st.markdown("**DATA**", help="Which data set to learn: click a picture. The sidebar has the rest (training "
                                 "share, number of points, classes, your own data).")
    dataset_picker(run)
    if relevant("noise", run):
        field_widget("noise", run.config.noise, key=settings_key("noise"), on_change=settings_apply,
                     args=(run, "noise"))
    c = run.config
    allowed = lesson_controls.rules().control("gallery", "Split your points into train and test parts anew (a new data seed)."
                                        if c.dataset in USER_SETS else "Draw new random points for the same data set "
                                                                       "(a new data seed).", locked_by=("data_seed",))
    if allowed:
        st.button("Regenerate", icon=":material/casino:", width="stretch", key="stage_regenerate",
                  on_click=lambda: run.propose(data_seed=(c.data_seed + 1) % (MAX_SEED + 1)), **allowed)
    weight_editor(run)          # a popover: a click on a link or a neuron opens it over the stage
    edit_controls(run)          # last: what it opens grows downwards and pushes no button below the fold
