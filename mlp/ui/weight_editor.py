"""Edit one weight or bias by hand, as TF Playground allows, and see the output change at once.

A click on a link in the network view selects that weight (its customdata says which); the editor
then shows it. Values are written straight into the running net, and Back undoes an edit as it undoes
a step (Run.edit).
The editor is a popover: opening it floats over the page and moves no chart, least of all the network
under the cursor. It is drawn outside the live fragment: its widgets cost ~8 ms to register, which every
animation rerun would pay. So a click (handled in a fragment rerun) asks for one full rerun to open it.
"""
from __future__ import annotations

import streamlit as st

from mlp.ui import lesson_controls
from mlp.ui.state import Run

_KIND, _LAYER, _FROM, _TO, _VALUE = (f"edit_{k}" for k in ("kind", "layer", "from", "to", "value"))
_SHOW_SELECTION = "edit_selected"
_OPEN = "edit_open"                # the popover's state: a clicked link opens it
MAX_SIZE = 100.0                   # the value box's range


def select_weight(customdata) -> None:
    """From a clicked link: customdata = [layer, from unit, to unit], numbered as the editor numbers them
    (layer 1 = the weights from the inputs into hidden layer 1; units from 1)."""
    layer, from_unit, to_unit = int(customdata[0]), int(customdata[1]), int(customdata[2])
    st.session_state[_KIND] = "weight"
    st.session_state[_LAYER] = layer
    st.session_state[_FROM] = from_unit
    st.session_state[_TO] = to_unit
    st.session_state[_OPEN] = True
    st.session_state[_SHOW_SELECTION] = True


def select_bias(layer: int, unit: int) -> None:
    """From a clicked neuron or bias square: `layer` counts the first hidden layer as 1, units from 1."""
    st.session_state[_KIND] = "bias"
    st.session_state[_LAYER] = int(layer)
    st.session_state[_TO] = int(unit)
    st.session_state[_OPEN] = True
    st.session_state[_SHOW_SELECTION] = True


def show_selection() -> None:
    """Call inside the live fragment: after a link was clicked, rerun the whole page to open the editor."""
    if st.session_state.pop(_SHOW_SELECTION, False):
        st.rerun(scope="app")


def _target(run: Run):
    """The array and index the editor points at, clamped to the net's current shape."""
    net = run.trainer.net
    layer = min(max(int(st.session_state.get(_LAYER, 1)), 1), net.n_layers)
    W, b = net.weights[layer - 1], net.biases[layer - 1]
    if st.session_state.get(_KIND, "weight") == "weight":
        i = min(max(int(st.session_state.get(_FROM, 1)), 1), W.shape[0])
        j = min(max(int(st.session_state.get(_TO, 1)), 1), W.shape[1])
        return W, (i - 1, j - 1)
    j = min(max(int(st.session_state.get(_TO, 1)), 1), b.shape[1])
    return b, (0, j - 1)


def _write(run: Run) -> None:
    array, index = _target(run)
    value = st.session_state.get(_VALUE)
    if value is not None and not lesson_controls.rules().locks("weights"):
        run.edit(array, index, value)


def weight_editor(run: Run) -> None:
    """The popover: what to edit on one row (weight or bias), where on the next (layer, from, to) with
    its value, so that no label wraps or is clipped in a popover as narrow as the DATA column."""
    allowed = lesson_controls.rules().control("weights", "Type a value; the net uses it at once.")
    if allowed is None:
        return
    net = run.trainer.net
    # (no hover help on the button: its tooltip lay over the editor's inputs; the caption says it instead)
    with st.popover("Edit weights", icon=":material/edit:", key=_OPEN, on_change="rerun", width="stretch"):
        st.caption("Set one weight or bias by hand, or click a link, a neuron or its bias square in the "
                   "network.")
        # no default: a click sets the kind through Session State (a default beside it makes Streamlit warn)
        st.session_state.setdefault(_KIND, "weight")
        kind = st.segmented_control("Edit", ["weight", "bias"], key=_KIND, required=True, width="stretch",
                                    help="A weight scales one link; a bias shifts one neuron.")
        layer_col, from_col, to_col, value_col = st.columns([1, 1, 1, 1.5], vertical_alignment="bottom")
        layer = layer_col.number_input("Layer", 1, net.n_layers, key=_LAYER,
                                       help=f"1 to {net.n_layers}: the layer the link leads into "
                                            f"({net.n_layers} is the output).")
        if kind == "weight":
            from_col.number_input("From unit", 1, net.sizes[layer - 1], key=_FROM,
                                  help="The unit in the layer before (the inputs for layer 1).")
        else:                                         # the column stays, so the other inputs do not move
            from_col.caption("(no link)")
        to_col.number_input("To unit", 1, net.sizes[layer], key=_TO, help="The unit in this layer.")
        array, index = _target(run)
        # the entry as it is now: after a step, a Back or a newly chosen entry too
        st.session_state[_VALUE] = min(max(float(array[index]), -MAX_SIZE), MAX_SIZE)
        value_col.number_input("Value", -MAX_SIZE, MAX_SIZE, step=0.1, format="%.4f", key=_VALUE,
                               on_change=_write, args=(run,), **allowed)
