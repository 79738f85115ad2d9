"""Plotly charts that update in place: one plotly.js plot per chart, redrawn with Plotly.react.

`st.plotly_chart` remounts its chart whenever the data changes (flicker, lost zoom: streamlit issues
#8782, #5107), which ruins an animation. This component keeps one plot per key and hands each new
figure to Plotly.react, which diffs it against what is drawn. plotly.js itself comes from the plotly
Python package and is sent to the browser once (`load_plotly_js`), and the chart's own code with it
(the component's module is a stub: Streamlit sends a component's code inline with every element);
Streamlit caches large messages by hash, so later reruns send only a reference.
"""
from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

import plotly
import streamlit as st

from mlp.live.payload import Held, chart_payload

from mlp.ui import streamlit_seams as seams

_HERE = Path(__file__).resolve().parent
_loader = st.components.v2.component("mlp_plotly_loader", js=(_HERE / "plotly_loader.js").read_text(encoding="utf-8"),
                                     isolate_styles=False)
# not in a shadow root: plotly.js styles its plots (modebar, hover labels) from the document head
_chart = st.components.v2.component(
    "mlp_live_chart", js=(_HERE / "plotly_live_stub.js").read_text(encoding="utf-8"),
    css=f".mlp-plot {{ width: 100%; }} .mlp-editing {seams.PLOTLY_DRAG_LAYER} {{ cursor: crosshair !important; }}",
    isolate_styles=False)


@functools.cache
def _plotly_source() -> str:
    path = os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js")
    with open(path, encoding="utf-8") as f:
        return f.read()


@functools.cache
def _chart_source() -> str:
    return (_HERE / "plotly_live.js").read_text(encoding="utf-8")


def load_plotly_js() -> None:
    """Put plotly.js and the live chart's code into the page (once per browser tab); call on every full
    run of a page."""
    _loader(data={"source": _plotly_source(), "chart": _chart_source()}, key="mlp_plotly_loader", height=0)


def live_chart(frames: list[dict] | dict, *, key: str, height: int = 360, revision: int = 0,
               on_click=None, plane_clicks: bool = False):
    """Draw a figure (a plain Plotly dict), or a list of successive ones, under `key`.

    Every call updates the same plot in place; a list is played back evenly until the next call.
    `revision` identifies the batch (the browser test reads it to count real updates).
    `on_click(customdata)` is called when the user clicks a point that carries customdata; with
    `plane_clicks`, any other click gives `on_click({"x", "y", "on": trace name, "at": time})`.
    """
    frames = [frames] if isinstance(frames, dict) else frames
    def clicked() -> None:
        point = st.session_state[key].get("clicked")
        if point is not None:
            on_click(point)

    # Each payload continues the figure the last one left in the browser (chart_payload: held); the
    # browser that does not hold it triggers "resync", and the next payload is whole.
    held_key = f"{_HELD}{key}"
    sent_id = secrets.token_hex(6)       # random: no id of another session's, or of before a restart, repeats
    data = chart_payload(frames, height, revision, plane_clicks, id=sent_id, held=st.session_state.get(held_key))
    st.session_state[held_key] = Held(sent_id, frames[-1])
    _chart(data=data, key=key, height=height, on_resync_change=lambda: st.session_state.pop(held_key, None),
           **({"on_clicked_change": clicked} if on_click else {}))


_HELD = "_live_chart_held_"       # + a chart's key: Held, what its browser holds
