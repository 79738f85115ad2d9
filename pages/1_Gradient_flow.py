"""Gradient flow: watch the error signal shrink or grow as it travels back through a deep net."""
import streamlit as st

from mlp.ui.gradient_flow_page import PAGE, flow_lab, live_gradient_flow, preset_buttons, settings_row, variance_section
from mlp.ui.page_link import show_notice
from mlp.ui.page import page_setup, play_controls

page_setup("Gradient flow")
lab = flow_lab()

st.title("Gradient flow: vanishing and exploding gradients")
show_notice(PAGE)
st.markdown("Backpropagation multiplies the error by W[l]ᵀ and by the activation's slope φ′(Z) once per layer "
            "on its way back, so in a deep net it changes by about the same factor at every layer: below 1 it "
            "**vanishes** before it reaches the first layers, above 1 it **explodes**. Pick a preset, read the "
            "verdict, then press Play and watch the gradients of each layer as the net trains.")
preset_buttons(lab)
settings_row(lab)
play_controls(lab.run)
live_gradient_flow(lab)

st.subheader("Why: the variance, layer by layer")
st.markdown("A unit adds up n_in inputs, each times a weight, so at initialisation "
            "Var(Z[l]) ≈ n_in · Var(W) · gain² · c · Var(Z[l−1]), where c is the share of E[z²] the activation "
            "passes on. Multiply that factor over the layers and you have the theory's prediction; the dots are "
            "what this net measures on the training set (before training).")
variance_section(lab)
