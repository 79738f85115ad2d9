"""Per-layer signals of one training step: what the gradient views draw.

Read straight from the net's workspace after a step, so the training loop itself pays nothing for
them. Histograms have fixed bins (counts only), so frames can be compared and stacked over time:
activations over the activation's usual range, gradients over log10|dW| from 1e-12 to 1e2, where
vanishing shows as mass sliding left and exploding as mass piling up on the right.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_BINS = 30
GRAD_LOG_RANGE = (-12.0, 2.0)         # log10 |dW|
STUCK_THRESHOLD = 0.01                # a unit whose mean phi'(z) is under 1% of phi's peak slope


@dataclass(frozen=True)
class LayerSignals:
    """One row per weight layer l = 1..L (index 0 is the first hidden layer)."""
    activation_hist: np.ndarray     # (L, N_BINS) int counts of A[l] over the batch
    activation_edges: np.ndarray    # (L, N_BINS + 1) bin edges per layer
    gradient_hist: np.ndarray       # (L, N_BINS) int counts of log10 |dW[l]| entries
    grad_norm: np.ndarray           # (L,) ‖dW[l]‖ (Frobenius)
    weight_norm: np.ndarray         # (L,) ‖W[l]‖
    update_ratio: np.ndarray        # (L,) ‖ΔW[l]‖ / ‖W[l]‖ of the step (≈1e-3 is healthy)
    delta_mean_abs: np.ndarray      # (L,) mean |delta[l]| over the batch
    stuck_fraction: np.ndarray      # (L,) share of dead (ReLU) / saturated (sigmoid, tanh) units; nan for output

    @property
    def gradient_edges(self) -> np.ndarray:
        return np.linspace(*GRAD_LOG_RANGE, N_BINS + 1)


def fixed_histogram(values: np.ndarray, lo: float, hi: float, n_bins: int = N_BINS) -> np.ndarray:
    """Counts of `values` in n_bins equal bins over [lo, hi]; values outside land in the end bins.

    Non-finite values are not counted. Faster than np.histogram, which sorts or searches per value.
    """
    v = values.reshape(-1)
    index = (v - lo) * (n_bins / (hi - lo))
    np.clip(index, 0, n_bins - 1, out=index)
    finite = np.isfinite(index)
    index = index[finite] if not finite.all() else index
    return np.bincount(index.astype(np.intp), minlength=n_bins)[:n_bins]


def output_range(net) -> tuple[float, float]:
    return (-2.0, 2.0) if net.output.name == "linear" else (0.0, 1.0)


def collect_signals(net, before: np.ndarray | None) -> LayerSignals:
    """Signals of the net's last training step. `before`: the parameters before that step's update."""
    ws, L, act = net._last, net.n_layers, net.activation
    ranges = [act.value_range] * (L - 1) + [output_range(net)]
    act_hist = np.stack([fixed_histogram(a, lo, hi) for a, (lo, hi) in zip(ws.a, ranges)])
    edges = np.stack([np.linspace(lo, hi, N_BINS + 1) for lo, hi in ranges])
    grad_hist, grad_norm, weight_norm, update_ratio = (np.zeros((L, N_BINS), np.int64), np.zeros(L),
                                                      np.zeros(L), np.full(L, np.nan))
    tiny = np.finfo(net.dtype).tiny
    for l, ((dW, _), W) in enumerate(zip(net.grads, net.weights)):
        grad_hist[l] = fixed_histogram(np.log10(np.abs(dW) + tiny), *GRAD_LOG_RANGE)
        grad_norm[l] = np.sqrt(np.vdot(dW, dW))
        weight_norm[l] = np.sqrt(np.vdot(W, W))
    if before is not None:
        old_weights, _ = net._views(before, list(zip(net.sizes[:-1], net.sizes[1:])))
        for l, (W, W0) in enumerate(zip(net.weights, old_weights)):
            step = W - W0
            update_ratio[l] = np.sqrt(np.vdot(step, step)) / max(np.sqrt(np.vdot(W0, W0)), tiny)
    delta_mean_abs = np.array([np.abs(d).mean() for d in ws.delta])
    stuck = np.full(L, np.nan)
    for l, gate in enumerate(ws.gate):        # phi'(Z) of the hidden layers, from backward
        stuck[l] = np.mean(gate.mean(axis=0) < STUCK_THRESHOLD * act.peak_derivative)
    return LayerSignals(act_hist, edges, grad_hist, grad_norm, weight_norm, update_ratio, delta_mean_abs, stuck)
