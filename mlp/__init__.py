"""A from-scratch NumPy multilayer perceptron for teaching: engine, datasets, config and trainer.

This package never imports streamlit or plotly; `mlp.figures` (Plotly) and `mlp.ui` (Streamlit)
build on it.
"""
from .activations import ACTIVATIONS, Activation
from .gradcheck import gradcheck
from .initializers import INITIALIZERS, Initializer
from .network import MLP
from .optimizers import OPTIMIZERS, SGD, Adam, Momentum
from .outputs import OUTPUTS

__all__ = ["ACTIVATIONS", "Activation", "INITIALIZERS", "Initializer", "MLP", "OPTIMIZERS", "OUTPUTS",
           "SGD", "Momentum", "Adam", "gradcheck"]
