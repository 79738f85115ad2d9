"""Gradient flow: watch the error signal shrink or grow as it travels back through a deep net."""
from mlp.ui.gradient_flow_page import PAGE, bar, explain, flow_lab, live_gradient_flow, preset_buttons
from mlp.ui.lab_stage import lab_header, lab_page
from mlp.ui.page_link import show_notice

lab_page(PAGE)
lab = flow_lab()
lab_header(f"{PAGE}: vanishing and exploding gradients", lambda: explain(lab), share=lab.run)
show_notice(PAGE)
preset_buttons(lab)
bar(lab)
live_gradient_flow(lab)
