"""TensorFlow Playground links on the page: opened from the address bar or a paste box, offered back in Share.

A link whose `playground.tensorflow.org/#` was replaced by this app's address and `?` arrives as query
params: `open_from_address` (page_setup runs it before anything reads the address) rewrites them in this
app's keys once per session, so the rest of the page, the teacher's rules included, reads an ordinary
link, and the address bar ends up holding the experiment in this app's keys. A browser never sends the
part after `#`, so a whole link is pasted instead (`paste_box`). The mapping itself is mlp/run/tfp_link.py.
"""
from __future__ import annotations

import streamlit as st

from mlp.run import tfp_link
from mlp.run.config import FIELDS, Config

from mlp.ui import lesson_controls

READ_KEY = "tfp_link_read"          # session_state: the address was looked at for a TF Playground link
NOTES_KEY = "tfp_link_notes"        # session_state: what the link's mapping could not take over
PASTE_KEY = "tfp_paste"
PASTE_PROBLEM_KEY = "tfp_paste_problem"
VIEW_KEYS = {"show_test": "view_test", "discretize": "view_discretize"}   # mlp/ui/views.py's toggles


def _take(reading: tfp_link.Reading) -> None:
    st.query_params.from_dict(reading.params)
    for view, key in VIEW_KEYS.items():
        st.session_state[key] = reading.views.get(view, False)
    st.session_state[NOTES_KEY] = list(reading.notes)


def open_from_address() -> None:
    """A TensorFlow Playground link in the address bar becomes this app's link (once per session)."""
    if st.session_state.get(READ_KEY):
        return
    st.session_state[READ_KEY] = True
    params = st.query_params.to_dict()
    if tfp_link.is_tfp(params):
        _take(tfp_link.read(params))


def take_notes() -> list[str]:
    """What the last TensorFlow Playground link could not take over, a line each (once: then forgotten)."""
    return st.session_state.pop(NOTES_KEY, [])


def _locked() -> bool:
    rules = lesson_controls.rules()
    return rules.token != "" or any(rules.locks(f.key) for f in FIELDS)


def _open_pasted(run_key: str) -> None:
    text = st.session_state.get(PASTE_KEY, "")
    params = tfp_link.params_of_link(text)
    if not tfp_link.is_tfp(params):
        st.session_state[PASTE_PROBLEM_KEY] = (
            "That is not a TensorFlow Playground link: it has none of its keys (learningRate, networkShape, "
            "percTrainData …). Copy the whole address from its page, # and all.")
        return
    st.session_state.pop(PASTE_PROBLEM_KEY, None)
    _take(tfp_link.read(params))
    # the page reads the link afresh, exactly as if it had been opened: a new run and the link's own rules
    for key in (run_key, lesson_controls.SESSION_KEY):
        st.session_state.pop(key, None)
    st.session_state[PASTE_KEY] = ""


def paste_box(run_key: str = "run") -> None:
    """"Open a TensorFlow Playground link": a whole link, # and all, opens its experiment here."""
    locked = _locked()
    st.text_input("Open a TensorFlow Playground link", key=PASTE_KEY,
                  placeholder="https://playground.tensorflow.org/#activation=tanh&…",
                  help="Your teacher's link locks settings here, so it cannot open another experiment." if locked
                  else "Paste a whole link from playground.tensorflow.org: its data, network and training open here.",
                  disabled=locked)
    st.button("Open it here", key="tfp_paste_open", icon=":material/open_in_browser:", on_click=_open_pasted,
              args=(run_key,), disabled=locked)
    problem = st.session_state.get(PASTE_PROBLEM_KEY)
    if problem:
        st.warning(problem)


def views() -> dict[str, bool]:
    return {view: bool(st.session_state.get(key, False)) for view, key in VIEW_KEYS.items()}


def open_in_tfp(config: Config) -> None:
    """"Open in TensorFlow Playground" for a run it can express, naming what the link leaves out."""
    rules = lesson_controls.rules()
    export = tfp_link.write(config, views(), rules.hide, rules.lock)
    if not export.url:
        st.caption("This run cannot open in TensorFlow Playground: " + "; ".join(export.reasons) + ".")
        return
    st.link_button("Open in TensorFlow Playground", export.url, icon=":material/open_in_new:")
    st.code(export.url, language=None)
    if export.dropped:
        st.caption("The link leaves out what TensorFlow Playground does not have: " + "; ".join(export.dropped) + ".")
