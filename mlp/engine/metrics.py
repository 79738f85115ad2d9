"""Scores of a prediction: accuracy and confusion matrix for classes, RMSE and R² for regression."""
from __future__ import annotations

import numpy as np


def predicted_labels(P: np.ndarray) -> np.ndarray:
    """Output activations (m, K) -> class labels (m,): argmax, or p > 0.5 for one sigmoid unit."""
    if P.shape[1] == 1:
        return (P[:, 0] > 0.5).astype(np.int64)
    return P.argmax(axis=1)


def accuracy(labels: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(labels == predicted)) if len(labels) else float("nan")


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """(K, K) counts: row = true class, column = predicted class."""
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def rmse(targets: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.sqrt(np.mean((predicted - targets) ** 2)))


def r_squared(targets: np.ndarray, predicted: np.ndarray) -> float:
    """1 - SS_res / SS_tot: 1 is perfect, 0 is no better than predicting the mean."""
    ss_tot = float(np.sum((targets - targets.mean()) ** 2))
    ss_res = float(np.sum((predicted - targets) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
