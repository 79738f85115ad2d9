"""Backprop, step by step: every equation of one forward and backward pass, with the numbers of one example."""
import streamlit as st

from mlp.text_safety import literal
from mlp.lab import backprop
from mlp.notation import number_text
from mlp.ui.backprop_page import (PAGE, backward_section, batch_table, current_lab, example_choice, forward_section,
                                 gradcheck_section, main_view, preset_buttons, settings_popover, shapes_section)
from mlp.ui.lab_stage import lab_header, lab_page
from mlp.ui.page_link import show_notice

EXPLANATION = (f"{backprop.BATCH} points from the data set go once through a small network, forward and back. "
               "The first tab draws one example's numbers on the network: each unit's output a and its error δ. The "
               "others write each equation for the whole batch (one row per example) and, beside it, with the real "
               "numbers of example i, rounded to 3 places; the last one, a gradient check, compares backprop's "
               "answer with the loss's own slope, measured by finite differences.")

lab_page(PAGE)
state = current_lab()
lab_header(PAGE, lambda: st.markdown(EXPLANATION))
show_notice(PAGE)
preset_buttons(state)

config = state.config
net, X, Y, y = backprop.tiny_batch(config)
steps = backprop.forward_backward(net, X, Y)
formula = backprop.formula(config.activation)
output_tex = backprop.OUTPUT_FORMULAS[config.output][1]

choice, settings, _ = st.columns([5, 1.6, 4], vertical_alignment="bottom")
i = example_choice(len(X), choice)
settings_popover(state, settings)
for problem in state.problems:
    st.warning(literal(problem))

network, batch, shapes, forward, backward, check = st.tabs([
    f"The network {'-'.join(map(str, config.layer_sizes))}", "The batch", "Shapes", "Forward pass", "Backward pass",
    "Gradient check"])
with network:
    main_view(state, steps, X, y, i)
with batch:
    batch_table(state, X, y)
with shapes:
    st.markdown("Rows are examples: X, Z[l], A[l] and δ[l] have m rows; W[l] maps layer l − 1's units to layer "
                "l's, so it is n_(l−1) × n_l; a gradient always has the shape of what it is the gradient of.")
    shapes_section(steps)
with forward:
    forward_section(steps, i, formula, output_tex, config.output)
with backward:
    backward_section(steps, i, formula)
    difference = backprop.largest_difference(steps, backprop.engine_steps(net, X, Y))
    st.caption(f"These numbers were computed one example at a time by the page itself; the network's own batched "
               f"forward and backward give the same to within {number_text(max(difference, 1e-16))}.")
with check:
    st.markdown("Nudge each weight by ±h, measure how the loss changes, and compare that slope with backprop's "
                "dW: in float64 a correct backward agrees to about 10⁻⁷ or better.")
    gradcheck_section(state, net, X, Y, formula)
