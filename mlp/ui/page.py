"""What every page shares: page set-up, the Play / Step / Reset bar, the view toggles, the link."""
from __future__ import annotations

import re
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from mlp.userdata import USER_SETS

from .frame import Views
from .plotly_live import load_plotly_js
from .state import Run, reset


# While a fragment reruns, Streamlit fades the elements it is about to replace; in an animation that
# would make the charts flash grey many times a second.
_NO_STALE_FADE = """<style>
[data-stale="true"], [data-stale="true"] * { opacity: 1 !important; transition: none !important; }
</style>"""


ROOT = Path(__file__).resolve().parents[2]


def _page_label(path: Path) -> str:
    """pages/1_Gradient_flow.py -> "Gradient flow" (Streamlit's own naming rule)."""
    return re.sub(r"^\d+_", "", path.stem).replace("_", " ")


def navigation() -> None:
    """The list of pages at the top of the sidebar: the Playground, then every file in pages/."""
    try:
        with st.sidebar:
            st.page_link("app.py", label="Playground", icon=":material/scatter_plot:")
            for path in sorted((ROOT / "pages").glob("*.py")):
                st.page_link(f"pages/{path.name}", label=_page_label(path), icon=":material/science:")
            st.divider()
    except StreamlitAPIException:
        pass        # a page run on its own (e.g. by AppTest) has no page list to link to


def page_setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · NN playground", page_icon="🧠", layout="wide")
    st.html(_NO_STALE_FADE)
    load_plotly_js()
    navigation()


def _play(run: Run) -> None:
    run.playing = run.trainer.diverged_at is None


def _pause(run: Run) -> None:
    run.playing = False


def _step(run: Run) -> None:
    run.playing = False
    run.report = run.trainer.run(1)


def _step_back(run: Run) -> None:
    run.playing = False
    if run.trainer.step_back():
        run.report = None


def play_controls(run: Run) -> None:
    """Play / Pause, one Step, Reset, and the shareable link."""
    cols = st.columns([1, 1, 1, 1, 3])
    # Two buttons, each doing one thing: a click that Streamlit delivers twice (it can, when the
    # click arrives while the animation is rerunning) must not undo itself as a toggle would.
    if run.playing:
        cols[0].button("Pause", type="primary", width="stretch", icon=":material/pause:",
                       on_click=_pause, args=(run,), key="pause", help="Stop training after the current frame.")
    else:
        cols[0].button("Play", type="primary", width="stretch", icon=":material/play_arrow:",
                       on_click=_play, args=(run,), key="play", help="Train continuously.")
    cols[1].button("Step", width="stretch", icon=":material/skip_next:", on_click=_step, args=(run,), key="step",
                   help="Train one minibatch step and show the result.")
    cols[2].button("Back", width="stretch", icon=":material/undo:", on_click=_step_back, args=(run,),
                   key="step_back", disabled=not run.trainer.can_step_back,
                   help="Step back to the state before the last frame or step (exactly: replaying gives the same run).")
    cols[3].button("Reset", width="stretch", icon=":material/restart_alt:", on_click=reset, args=(run,), key="reset",
                   help="Start again from the same initial weights on the same data.")
    with cols[4].popover("Share this run", icon=":material/link:", help="Copy a link that reproduces this exact run."):
        st.caption("Anyone opening this link gets the same data, network and starting weights.")
        st.code(st.context.url, language=None)
        if run.config.dataset in USER_SETS:
            st.caption("Your own points cannot travel in a link: send the CSV along (Data → Your points).")


def view_toggles(run: Run) -> Views:
    cols = st.columns(5)
    show_test = cols[0].toggle("Show test data", key="view_test", help="Draw the held-out test points too.")
    discretize = cols[1].toggle("Discretize output", key="view_discretize",
                                help="Colour each region by the predicted class instead of the probability.")
    log_loss = cols[2].toggle("Log-scale loss", key="view_logloss", help="A log axis shows late progress better.")
    network = cols[3].toggle("Network view", value=True, key="view_network",
                             help="Draw every neuron (turn off for very deep nets to save time).")
    histograms = cols[4].toggle("Histograms", value=True, key="view_hist",
                                help="Per-layer histograms of activations and gradients.")
    return Views(network=network, histograms=histograms, show_test=show_test, discretize=discretize,
                 log_loss=log_loss)
