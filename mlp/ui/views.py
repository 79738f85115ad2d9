"""Which views the Playground draws: the output's toggles (test points, discretize) and the page's
(log-scale loss, network view, histograms).

The toggles are drawn inside the live fragment, after its figures are built, so the figures read the
toggles' state from the session first (`current_views`); a toggle's click reruns the fragment, which
builds the next figures with it.
"""
from __future__ import annotations

import streamlit as st

from mlp.live.frame import Views

from mlp.ui import lesson_controls

# key -> (label, help, default)
TOGGLES = {
    "view_test": ("Show test data", "Draw the held-out test points too.", False),
    "view_discretize": ("Discretize output", "Colour each region by the predicted class instead of the probability.",
                        False),
    "view_logloss": ("Log-scale loss", "A log axis shows late progress better.", False),
    "view_network": ("Network view", "Draw every neuron (turn off for very deep nets to save time).", True),
    "view_hist": ("Histograms", "Per-layer histograms of activations and gradients.", True),
}


def current_views() -> Views:
    """The views as the toggles stand (their defaults before they are first drawn)."""
    if lesson_controls.rules().hides("views"):
        return Views()
    on = {key: st.session_state.get(key, default) for key, (_, _, default) in TOGGLES.items()}
    return Views(network=on["view_network"], histograms=on["view_hist"], show_test=on["view_test"],
                 discretize=on["view_discretize"], log_loss=on["view_logloss"])


def _toggles(keys, container=st) -> None:
    rules = lesson_controls.rules()
    if rules.hides("views"):
        return
    # a row that wraps, rather than columns that cut "Log-scale loss" to "Log-sc…" on a narrow screen
    row = container.container(horizontal=True, gap="medium")
    for key in keys:
        label, help, default = TOGGLES[key]
        st.session_state.setdefault(key, default)
        row.toggle(label, key=key, width="content", **rules.control("views", help))


def output_toggles() -> None:
    """Under the output, as in TF Playground."""
    _toggles(("view_test", "view_discretize"))


def view_toggles() -> None:
    """What else the page draws."""
    _toggles(("view_logloss", "view_network", "view_hist"))
