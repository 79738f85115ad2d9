"""Backprop, step by step: every equation of one forward and backward pass, with the numbers of one example."""
import streamlit as st

from mlp.text_safety import literal
from mlp.lab import backprop
from mlp.notation import number_text
from mlp.ui.backprop_page import (PAGE, backward_section, batch_section, current_lab, forward_section, gradcheck_section,
                                 preset_buttons, settings_sidebar, shapes_section)
from mlp.ui.page_link import show_notice
from mlp.ui.page import page_setup

page_setup("Backprop, step by step", sidebar_hint="The network's settings (data, activation, layers)")
state = current_lab()
settings_sidebar(state)

st.title("Backprop, step by step")
show_notice(PAGE)
st.caption(f"{backprop.BATCH} points from the data set go once through a small network, forward and back. Each "
           "equation is written for the whole batch (one row per example) and, beside it, with the real numbers "
           "of one example i, rounded to 3 places. At the bottom a gradient check compares backprop's answer with "
           "the loss's own slope, measured by finite differences.")
preset_buttons(state)
for problem in state.problems:
    st.warning(literal(problem))

config = state.config
net, X, Y, y = backprop.tiny_batch(config)
steps = backprop.forward_backward(net, X, Y)
formula = backprop.formula(config.activation)
output_tex = backprop.OUTPUT_FORMULAS[config.output][1]

st.subheader(f"The network {'-'.join(map(str, config.layer_sizes))} and the batch (m = {backprop.BATCH})")
i = batch_section(state, X, y)

st.subheader("Shapes")
st.markdown("Rows are examples: X, Z[l], A[l] and δ[l] have m rows; W[l] maps layer l − 1's units to layer "
            "l's, so it is n_(l−1) × n_l; a gradient always has the shape of what it is the gradient of.")
shapes_section(steps)

st.subheader("Forward pass")
forward_section(steps, i, formula, output_tex, config.output)

st.subheader("Backward pass")
backward_section(steps, i, formula)
difference = backprop.largest_difference(steps, backprop.engine_steps(net, X, Y))
st.caption(f"These numbers were computed one example at a time by the page itself; the network's own batched "
           f"forward and backward give the same to within {number_text(max(difference, 1e-16))}.")

st.subheader("Gradient check")
st.markdown("Nudge each weight by ±h, measure how the loss changes, and compare that slope with backprop's "
            "dW: in float64 a correct backward agrees to about 10⁻⁷ or better.")
gradcheck_section(state, net, X, Y, formula)
