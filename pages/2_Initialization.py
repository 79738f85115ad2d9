"""Initialization: the same net on the same data, started from different weights."""
import streamlit as st

from mlp.ui.initialization_page import (PAGE, current_lab, distributions, paper_figures, preset_buttons, settings,
                                       symmetry, training)
from mlp.ui.page_link import show_notice
from mlp.ui.page import page_setup

page_setup("Initialization")
lab = current_lab()

st.title("Initialization: where the weights start")
show_notice(PAGE)
st.markdown("The same network, data and seed, started from different weight distributions. Too small and the "
            "signal fades layer by layer; too large and it saturates or blows up; the right variance keeps every "
            "layer's activations spread out. Pick a preset or choose the schemes, then train them side by side.")
preset_buttons(lab)
settings(lab)
paper_figures(lab)

st.subheader("Activations at initialisation")
st.markdown("Above: the spread (std) of each hidden layer's activations on the training set, one line per scheme. "
            "Below: per scheme, the histogram of each hidden layer's activations, first layer on the left, with "
            "the variance the scheme gives a weight.")
distributions(lab)

st.subheader("Training, side by side")
st.markdown("Every scheme takes the same steps on the same minibatches (plain SGD): only the starting weights "
            "differ.")
training(lab)

st.subheader("Symmetry: why the weights must start random")
st.markdown("A small net (2 hidden layers of 4 units) drawn as in the Playground: each square is one neuron's "
            "output over the input plane. Start it from zero weights, train, and compare with a random start.")
symmetry(lab)
