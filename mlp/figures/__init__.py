"""Plotly figures of the playground, as plain dicts ({"data": [...], "layout": {...}}).

Each builder is a pure function of plain data (NumPy arrays, numbers, lists) and never builds a
`plotly.graph_objects.Figure`: they run every animation frame, and validating a Figure costs far
more than drawing one. Nothing here imports Streamlit. A compact figure (compact=True) is for the
live charts: heatmaps as uint8 codes under "zcodes" (compact.py), arrays as typed arrays holding
raw bytes (jsonable.py); mlp/live/payload.py: chart_payload sends them, the browser side expands them
(mlp/ui/plotly_live.py). Figures may share nested parts built once per architecture (layouts, static traces): treat
a figure as read-only.
"""
from mlp.figures.boundary import decision_boundary_figure
from mlp.figures.compact import decode_grid, encode_grid
from mlp.figures.confusion import confusion_matrix_figure
from mlp.figures.curves import grad_norms_over_time_figure, loss_curves_figure
from mlp.figures.layers import grad_norm_by_layer_figure, layer_histograms_figure
from mlp.figures.network_view import MAX_DRAWN_UNITS, network_figure
from mlp.figures.previews import dataset_preview_svg

__all__ = ["confusion_matrix_figure", "decision_boundary_figure", "decode_grid", "encode_grid",
           "grad_norm_by_layer_figure", "grad_norms_over_time_figure", "layer_histograms_figure",
           "loss_curves_figure", "network_figure", "dataset_preview_svg", "MAX_DRAWN_UNITS"]
