"""A from-scratch NumPy multilayer perceptron for teaching: engine, datasets, config and trainer.

This package never imports streamlit or plotly; `mlp.figures` (Plotly) and `mlp.ui` (Streamlit)
build on it.
"""
from mlp.activations import ACTIVATIONS, Activation
from mlp.gradcheck import gradcheck
from mlp.initializers import INITIALIZERS, Initializer
from mlp.network import MLP
from mlp.optimizers import OPTIMIZERS, SGD, Adam, Momentum
from mlp.outputs import OUTPUTS

__all__ = ["ACTIVATIONS", "Activation", "INITIALIZERS", "Initializer", "MLP", "OPTIMIZERS", "OUTPUTS",
           "SGD", "Momentum", "Adam", "gradcheck"]
