"""What a click on the Playground's network view does, as in TF Playground: + / - on a layer changes
its width, + / - over the layers adds or removes one, a click on a feature switches it, a click on a
link, a neuron or its bias opens the editor on that weight or bias.

The network view reports its clicks as customdata (mlp/figures/network_view.py): a link as [layer,
from unit, to unit], numbered as the weight editor numbers them, everything else as a list starting
with what it is. Settings changes
go through `Run.propose`, so a teacher's lock holds here as on every widget; since the click arrives
in the live fragment, the whole page is rerun afterwards so the other controls show the new settings.
"""
from __future__ import annotations

import streamlit as st

from mlp.run.config import MAX_HIDDEN_LAYERS
from mlp.engine.datasets import FEATURES

from mlp.ui.controls import one_layer_more
from mlp.ui.state import Run
from mlp.ui.weight_editor import select_bias, select_weight

_RERUN = "network_changed_settings"
NETWORK_TITLE = "**FEATURES → HIDDEN LAYERS → OUTPUT**"
NETWORK_HELP = ("Each square is one neuron's output over the input plane (blue positive, orange negative); links "
                "are weights, thicker = larger. Click + / − to change a layer's width or the number of layers, a "
                "feature on the left to switch it on or off, a link or a neuron's small bias square to edit it. "
                "Hover over a neuron to see its output large on the right.")


def _propose(run: Run, **changes) -> None:
    run.propose(**changes)
    st.session_state[_RERUN] = True


def network_click(run: Run, payload) -> None:
    """Act on a click in the network view (payload: the clicked point's customdata)."""
    if not isinstance(payload, list) or not payload:
        return
    kind, hidden = payload[0], list(run.config.hidden)
    try:
        if not isinstance(kind, str):                 # a link: [layer, from unit, to unit]
            select_weight(payload)
        elif kind == "width":
            layer, sign = int(payload[1]), int(payload[2])
            if 1 <= layer <= len(hidden):
                hidden[layer - 1] += 1 if sign > 0 else -1
                _propose(run, hidden=tuple(hidden))
        elif kind == "layers":
            if int(payload[2]) > 0 and len(hidden) < MAX_HIDDEN_LAYERS:
                _propose(run, hidden=one_layer_more(tuple(hidden)))
            elif int(payload[2]) < 0 and hidden:
                _propose(run, hidden=tuple(hidden[:-1]))
        elif kind == "feature":
            name = list(FEATURES)[int(payload[1])]
            features = set(run.config.features) ^ {name}
            _propose(run, features=tuple(f for f in FEATURES if f in features))
        elif kind in ("neuron", "bias") and int(payload[1]) >= 1:
            select_bias(int(payload[1]), int(payload[2]))
    except (TypeError, ValueError, IndexError):
        return                                        # not a click the view sends


def rerun_page_if_changed() -> None:
    """Call in the live fragment: after a click changed the settings, rerun the whole page."""
    if st.session_state.pop(_RERUN, False):
        st.rerun(scope="app")
