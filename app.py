"""The Playground: pick data, a network and its training, press Play, watch it learn."""
import streamlit as st

from mlp.ui.controls import settings_sidebar
from mlp.ui.exports import export_panel
from mlp.ui.lab_link import show_notice
from mlp.ui.live import live_playground
from mlp.ui.page import page_setup, play_controls, view_toggles
from mlp.ui.state import current_run
from mlp.ui.weight_editor import weight_editor

page_setup("Playground")
run = current_run()
settings_sidebar(run)
with st.sidebar.expander("Save & export", icon=":material/save:"):
    export_panel(run)

st.title("Neural network playground")
show_notice("Playground")
st.caption("A from-scratch NumPy network learns to separate the points. Press Play and watch the output, "
           "the neurons and, below, the gradients flowing back through each layer.")
for problem in run.problems:
    st.warning(problem)
play_controls(run)
views = view_toggles(run)
weight_editor(run)
live_playground(run, views)
