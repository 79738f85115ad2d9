"""A lab as a stage: one screen of a 1280 x 720 projector, as the Playground is (mlp/ui/stage.py).

A lab page is: `lab_page` (set-up), `lab_header` (the way back, the Labs menu, the title, "What am I
looking at?" and Share on one line), its presets, `play_bar` (the Playground's Play / Step / Back /
Reset, then the lab's main settings), and a live part run by the Playground's loop
(mlp/ui/play_loop.py: live_loop) whose frames come from mlp/live/paced_batch.py (the one pace rule
and batch loop of every page) and are drawn by the same live chart (mlp/ui/plotly_live.py). A new lab brings its math
(mlp/lab/), its figures (mlp/figures/) and a layout of these pieces.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from mlp.ui import lesson_controls
from mlp.ui.page import Playable, back_and_labs, page_setup, play_buttons, share_popover
from mlp.ui.plotly_live import live_chart
from mlp.ui.state import Run

# The header's title is a line, not a banner; widgets' labels and captions as on the stage.
LAB_CSS = """<style>
.st-key-lab_title h1 { font-size: 1.25rem; padding: 0; white-space: nowrap; overflow: hidden; text-overflow: clip; }
.st-key-lab_title [data-testid="stHeadingWithActionElements"] { margin: 0; }
[data-testid="stMainBlockContainer"] [data-testid="stAlert"] > div { padding: 0.45rem 0.75rem; }
[data-testid="stMainBlockContainer"] [data-testid="stTabs"] [data-baseweb="tab-list"] { gap: 1rem; }
[data-testid="stMainBlockContainer"] [data-testid="stTabs"] [data-baseweb="tab"] { height: 2rem; }
</style>"""
STAGE_REFERENCE_HEIGHT = 720       # the charts' heights are given for this screen height


def lab_page(title: str) -> None:
    """A lab's first call: the Playground's one-screen set-up (sidebar closed at first, no page bar)."""
    page_setup(title, stage=True)
    st.html(LAB_CSS)


def lab_header(title: str, explain: Callable[[], None], share: Run | None = None) -> None:
    """Back to the Playground, the Labs menu, the title (the page's heading), "What am I looking at?" (explain() draws its
    text) and, with a Run, Share: one line, as the Playground's header."""
    # the first and last columns leave room for Streamlit's sidebar and menu buttons over the header
    _, back, labs, name, what, link, _ = st.columns([0.25, 1.35, 1.0, 5.4, 2.0, 1.2, 0.4], vertical_alignment="center")
    allowed = lesson_controls.rules().control("pages")
    if allowed is not None:
        back_and_labs(back, labs, allowed)
    with name.container(key="lab_title"):
        st.title(title, anchor=False)
    with what.popover("What am I looking at?", width="stretch"):
        explain()
    if share is not None:
        with link:
            share_popover(share)


def play_bar(state: Playable, widths: list[float], prefix: str = "", **helps) -> list:
    """The Playground's Play / Step / Back / Reset in the first four of columns of `widths`; returns the
    other columns, for the lab's settings."""
    cols = st.columns(widths, vertical_alignment="bottom")
    play_buttons(state, cols[:4], prefix, **helps)
    return cols[4:]


def growth_css(charts: dict[str, tuple[int, float]]) -> str:
    """CSS giving each chart (by its key) its height at 1280 x 720, plus `share` of any screen height
    beyond: {key: (height at 720, share)}."""
    # the plot, and the component's boxes around it, which Streamlit sizes to the `height` it was given
    boxes = ("", " .stBidiComponent", " *:has(> div.mlp-plot)", " div.mlp-plot")
    rules = [", ".join(f".st-key-{key}{box}" for box in boxes)
             + f" {{ height: calc({height}px + max(0px, 100vh - {STAGE_REFERENCE_HEIGHT}px) * {share})"
               " !important; }" for key, (height, share) in charts.items()]
    rules += [f".st-key-{key} {{ flex: 0 0 auto !important; }}" for key in charts]     # not its flex basis
    return "<style>" + "\n".join(rules) + "</style>"


def frames_chart(frames: list[dict[str, dict]], name: str, *, key: str, height: int, revision: int) -> None:
    """The chart `name` of a batch of frames (those frames that carry it), played back in the browser."""
    figures = [f[name] for f in frames if name in f]
    if figures:
        live_chart(figures, key=key, height=height, revision=revision)
