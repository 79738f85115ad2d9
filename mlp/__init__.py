"""A from-scratch NumPy multilayer perceptron for teaching: engine, datasets, config and trainer.

This package never imports streamlit or plotly; `mlp.figures` (Plotly) and `mlp.ui` (Streamlit)
build on it.
"""
from mlp.engine.activations import ACTIVATIONS, Activation
from mlp.engine.gradcheck import gradcheck
from mlp.engine.initializers import INITIALIZERS, Initializer
from mlp.engine.network import MLP
from mlp.engine.optimizers import OPTIMIZERS, SGD, Adam, Momentum
from mlp.engine.outputs import OUTPUTS

__all__ = ["ACTIVATIONS", "Activation", "INITIALIZERS", "Initializer", "MLP", "OPTIMIZERS", "OUTPUTS",
           "SGD", "Momentum", "Adam", "gradcheck"]
