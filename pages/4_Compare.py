"""Compare: two networks trained side by side on the same data, from the same seed."""
import streamlit as st

from mlp.ui.compare_page import PAGE, current_lab, live_comparison, play_bar, preset_buttons, shared_sidebar, side_settings
from mlp.ui.page_link import show_notice
from mlp.ui.page import page_setup

page_setup("Compare", sidebar_hint="The settings A and B share (data, seeds, steps)")
state = current_lab()
shared_sidebar(state)

st.title("Compare two networks")
show_notice(PAGE)
st.caption("A and B see the same points in the same order and start from the same random draws; only the "
           "settings of each side differ. Train them together and watch where their loss curves, decision "
           "boundaries and gradients part ways.")
preset_buttons(state)
side_settings(state)
play_bar(state)
live_comparison(state)
