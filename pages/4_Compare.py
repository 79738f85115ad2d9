"""Compare: two networks trained side by side on the same data, from the same seed."""
from mlp.ui.compare_page import PAGE, bar, current_lab, explain, live_comparison, preset_buttons
from mlp.ui.lab_stage import lab_header, lab_page
from mlp.ui.page_link import show_notice

lab_page(PAGE)
state = current_lab()
lab_header("Compare two networks", lambda: explain(state))
show_notice(PAGE)
preset_buttons(state)
bar(state)
live_comparison(state)
