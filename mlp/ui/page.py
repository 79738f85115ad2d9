"""What every page shares: page set-up, the Play / Step / Back / Reset bar (the labs' too), the link."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitAPIException

from mlp.run.own_points import USER_SETS

from mlp.ui import class_session, lesson_controls, streamlit_seams as seams, tfp_link_panel
from mlp.ui.plotly_live import load_plotly_js
from mlp.ui.state import Run, link_params, url_params

ROOT = Path(__file__).resolve().parents[2]


def _page_label(path: Path) -> str:
    """pages/1_Gradient_flow.py -> "Gradient flow" (Streamlit's own naming rule)."""
    return re.sub(r"^\d+_", "", path.stem).replace("_", " ")


def _pages():
    """(path, label, icon) of every page: the Playground, then every file in pages/."""
    yield "app.py", "Playground", ":material/scatter_plot:"
    for path in sorted((ROOT / "pages").glob("*.py")):
        yield f"pages/{path.name}", _page_label(path), ":material/science:"


def navigation() -> None:
    """The list of pages at the top of the sidebar."""
    allowed = lesson_controls.rules().control("pages")
    if allowed is None:
        return
    try:
        with st.sidebar:
            for page, label, icon in _pages():
                st.page_link(page, label=label, icon=icon, **allowed)
            st.divider()
    except StreamlitAPIException:
        pass        # a page run on its own (e.g. by AppTest) has no page list to link to


def page_links() -> None:
    """The labs behind one button (the Playground's header: its sidebar, with the page list, starts closed)."""
    allowed = lesson_controls.rules().control("pages")
    if allowed is None:
        return
    # (no hover help on the button: its tooltip would lie over the first link)
    with st.popover("Labs", icon=":material/science:", width="stretch"):
        try:
            for page, label, icon in list(_pages())[1:]:
                st.page_link(page, label=label, icon=icon, **allowed)
        except StreamlitAPIException:
            pass


def page_setup(title: str, *, stage: bool = False, sidebar_closed: bool = False,
               sidebar_hint: str | None = None) -> None:
    """Every page's first call. `stage`: the Playground's one-screen layout (sidebar closed at first, its own
    header). Every other page gets a bar with the way back to the Playground and the Labs menu;
    `sidebar_closed`: it starts with the sidebar closed (the Class page on a projector: the wall's cards
    at the top); `sidebar_hint`: what the page's sidebar holds, said in that bar."""
    st.set_page_config(page_title=f"{title} · NN playground", page_icon=":material/hub:", layout="wide",
                       initial_sidebar_state="collapsed" if stage or sidebar_closed else "auto")
    st.html(seams.NO_STALE_FADE)
    if stage:
        st.html(seams.STAGE_CSS)
    load_plotly_js()
    tfp_link_panel.open_from_address()   # before anything reads the address: a TF Playground link becomes ours
    lesson_controls.keep_in_url()
    class_session.keep_in_url()     # a class's card stays named in the address bar, so a reload keeps it
    navigation()
    if not stage:
        page_header(sidebar_hint)


def back_and_labs(back, labs, allowed: dict) -> None:
    """"← Playground" in the column `back` and the Labs menu in `labs` (`allowed`: the teacher's rule for
    leaving the page, lesson_controls' control("pages"))."""
    try:
        back.page_link("app.py", label="Playground", icon=":material/arrow_back:", **allowed)
    except StreamlitAPIException:
        pass        # a page run on its own (AppTest) has no Playground to link to
    with labs:
        page_links()


def page_header(sidebar_hint: str | None = None) -> None:
    """A lab's or the Class page's top bar: back to the Playground, the Labs menu, and where the page's own
    settings are (the sidebar, behind » at the top left, when it is closed)."""
    allowed = lesson_controls.rules().control("pages")
    if allowed is None:
        return
    back, labs, hint = st.columns([1.3, 1.1, 6], vertical_alignment="center")
    back_and_labs(back, labs, allowed)
    if sidebar_hint:
        hint.caption(f"{sidebar_hint}: in the sidebar at the left (» at the top left opens it when closed).")


class Playable(Protocol):
    """What the play bar drives: a Run (the Playground, Gradient flow) or a lab's state (Initialization).
    Each method is the one transition of its button; `can_step_back` says whether Back has a state to go to."""
    playing: bool
    can_step_back: bool

    def play(self) -> None: ...
    def pause(self) -> None: ...
    def step(self) -> None: ...
    def back(self) -> None: ...
    def reset(self) -> None: ...


def play_buttons(run: Playable, cols, prefix: str = "", help_play: str = "Train continuously.",
                 help_step: str = "Train one minibatch step and show the result.") -> None:
    """Play / Pause, Step, Back and Reset, one in each of `cols`: the one play bar of every page (the
    buttons' keys are `prefix` + play, pause, step, step_back, reset)."""
    rules = lesson_controls.rules()
    # Two buttons, each doing one thing: a click that Streamlit delivers twice (it can, when the
    # click arrives while the animation is rerunning) must not undo itself as a toggle would.
    if run.playing and not rules.hides("play"):
        cols[0].button("Pause", type="primary", width="stretch", icon=":material/pause:", on_click=run.pause,
                       key=f"{prefix}pause", **rules.control("play", "Stop training after the current frame."))
    elif not rules.hides("play"):
        cols[0].button("Play", type="primary", width="stretch", icon=":material/play_arrow:", on_click=run.play,
                       key=f"{prefix}play", **rules.control("play", help_play))
    step = rules.control("step", help_step)
    if step:
        cols[1].button("Step", width="stretch", icon=":material/skip_next:", on_click=run.step, key=f"{prefix}step",
                       **step)
        back = rules.control("step", "Step back to the state before the last frame, step or edit (exactly: "
                                     "replaying gives the same run).")
        cols[2].button("Back", width="stretch", icon=":material/undo:", on_click=run.back,
                       key=f"{prefix}step_back", **{**back, "disabled": back["disabled"] or not run.can_step_back})
    allowed = rules.control("reset", "Start again from the same initial weights on the same data.")
    if allowed:
        cols[3].button("Reset", width="stretch", icon=":material/restart_alt:", on_click=run.reset,
                       key=f"{prefix}reset", **allowed)


def share_popover(run: Run, label: str = "Share", *, tfp: bool = False) -> None:
    """The link that reproduces this run, and a teacher's lesson link; `tfp`: TensorFlow Playground's
    links both ways too (the Playground's Share)."""
    allowed = lesson_controls.rules().control("share")
    if allowed:
        # (no hover help on the button: its tooltip lay over the popover's first line)
        with st.popover(label, icon=":material/link:", width="stretch", **allowed):
            st.caption("Anyone opening this link gets the same data, network and starting weights: pressing "
                       "Play there replays this run.")
            if run.hand_edited:
                st.warning("You set weights by hand: this link starts from the initial weights, without your "
                           "edits. To share the edited net, save its weights (All settings → Save & export) and "
                           "send the file along.", icon=":material/edit_off:")
            st.code(link(link_params(run.config)), language=None)
            if run.config.dataset in USER_SETS:
                st.caption("Your own points cannot travel in a link: send the CSV along (Data → Your points).")
            if tfp:
                st.markdown("**TensorFlow Playground**")
                tfp_link_panel.open_in_tfp(run.config)
                tfp_link_panel.paste_box()
            lesson_link(run)


def link(params: dict[str, str]) -> str:
    """This page's address with these query params (st.context.url leaves the query out)."""
    query = urlencode(params, safe=",")
    return f"{st.context.url or ''}?{query}" if query else st.context.url or ""


def lesson_link(run: Run) -> None:
    """A teacher's link: this run's settings, with the chosen controls hidden or locked."""
    st.markdown("**Lesson link**", help="For a class: students who open it see only the controls the lesson needs. "
                                        "Hidden controls are not drawn; locked ones are drawn but cannot be used. "
                                        "The link is signed with this server's secret: a student who edits it "
                                        "gets your lesson back. It stays valid after a restart only when the "
                                        "server has a fixed server.cookieSecret.")
    options, rules = lesson_controls.names(), lesson_controls.rules()
    hide = st.multiselect("Hide", list(options), default=sorted(rules.hide, key=list(options).index),
                          format_func=lambda n: f"{options[n]} ({n})", key="lesson_hide")
    lock = st.multiselect("Lock", list(options), default=sorted(rules.lock, key=list(options).index),
                          format_func=lambda n: f"{options[n]} ({n})", key="lesson_lock")
    chosen = lesson_controls.Rules(frozenset(hide), frozenset(lock))
    st.code(link({**url_params(run.config), **lesson_controls.lesson_params(chosen, run.config)}), language=None)
