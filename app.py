"""The Playground: pick data, a network and its training, press Play, watch it learn.

One screen of a projector (mlp/ui/stage.py): the header, the bar with Play and the most-used settings,
then DATA | FEATURES → HIDDEN LAYERS → OUTPUT; the gradient views below; every other setting in the
sidebar.
"""
import streamlit as st

from mlp.text_safety import literal
from mlp.ui.controls import ON_STAGE, settings_sidebar
from mlp.ui.lesson_follow import follow
from mlp.ui.save_export import export_panel
from mlp.ui.page_link import show_notice
from mlp.ui.stage_live import live_playground
from mlp.ui.page import page_setup
from mlp.ui.stage import data_column, header, top_bar
from mlp.ui.state import current_run

page_setup("Playground", stage=True)
run = current_run()
follow(run)                     # a class's lesson: the step the teacher moved to, its settings and locks
settings_sidebar(run, skip=ON_STAGE)
with st.sidebar.expander("Save & export", icon=":material/save:"):
    export_panel(run)

header(run)
show_notice("Playground")
for problem in run.problems:
    st.warning(literal(problem))
counters = top_bar(run)
data, stage = st.columns([1.4, 8.5], gap="medium")
with data:
    data_column(run)            # the data, Regenerate, Edit weights, Edit points
with stage:
    live_playground(run, counters)
