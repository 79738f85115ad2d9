"""Initialization: the same net on the same data, started from different weights."""
import streamlit as st

from mlp.ui.initialization_page import (PAGE, bar, current_lab, distributions, explain, live_initialization,
                                       paper_figures, paper_of, preset_buttons, symmetry)
from mlp.ui.lab_stage import lab_header, lab_page
from mlp.ui.page_link import show_notice

lab_page(PAGE)
lab = current_lab()
lab_header(f"{PAGE}: where the weights start", lambda: explain(lab))
show_notice(PAGE)
preset_buttons(lab)
bar(lab)
tabs = st.tabs(["Spread and race", "Histograms at the start", "Symmetry"]
               + (["The paper's figure"] if paper_of(lab) is not None else []))
with tabs[0]:
    live_initialization(lab)
with tabs[1]:
    distributions(lab)
with tabs[2]:
    symmetry(lab)
if len(tabs) > 3:
    with tabs[3]:
        paper_figures(lab)
