"""The weight penalty the training objective adds to the data loss (mlp/engine/step.py: train_step).

    L2:  λ/2 · Σ W²   (gradient λ·W)          L1:  λ · Σ |W|   (gradient λ·sign(W))

over the weights only: biases are exempt. The losses the pages plot are the data loss alone (the mean
cross-entropy or squared error), so the penalty is shown beside them, never silently left out.
"""
from __future__ import annotations

import numpy as np

FORMULAS = {"l2": "λ/2 · ΣW²", "l1": "λ · Σ|W|"}


def weight_penalty(net, regularization: str, rate: float) -> float:
    """The penalty at the net's current weights: 0.0 for "none" or a zero rate."""
    if regularization not in FORMULAS or not rate:
        return 0.0
    w = np.asarray(net.params[:net.n_weights], np.float64)
    if regularization == "l2":
        return float(rate / 2 * np.dot(w, w))
    return float(rate * np.abs(w).sum())
