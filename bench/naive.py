"""The baseline: a straightforward float64 NumPy MLP, written the way a student writes it from the math.

Nothing here is deliberately slow and nothing is tuned: fresh arrays every step, the loss computed
every step, one layer at a time. bench/engine.py times mlp's engine against it.

    Z[l] = A[l-1] @ W[l] + b[l],  A[l] = tanh(Z[l]),  A[L] = softmax(Z[L])
    delta[L] = A[L] - Y
    dW[l] = A[l-1].T @ delta[l] / m,  db[l] = delta[l].sum(0) / m
    delta[l-1] = (delta[l] @ W[l].T) * (1 - A[l-1]**2)
    W[l] -= lr * dW[l],  b[l] -= lr * db[l]
"""
from __future__ import annotations

import numpy as np


class NaiveMLP:
    """tanh hidden layers, softmax output, cross-entropy loss, plain SGD; float64 throughout.

    Weights are Xavier-normal, drawn exactly as mlp.MLP(..., init="xavier_normal", seed=seed) draws
    them (one `default_rng(seed)`, layer by layer), so both start from the same point.
    """

    def __init__(self, sizes, seed=0):
        rng = np.random.default_rng(seed)
        self.W, self.b = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            std = np.sqrt(2.0 / (n_in + n_out))
            self.W.append(rng.standard_normal((n_in, n_out)) * std)
            self.b.append(np.zeros((1, n_out)))

    def forward(self, X):
        """Returns the list of activations [X, A1, ..., A_L]; A_L are the softmax probabilities."""
        A = X
        activations = [A]
        L = len(self.W)
        for l in range(L):
            Z = A @ self.W[l] + self.b[l]
            if l < L - 1:
                A = np.tanh(Z)
            else:
                Z = Z - np.max(Z, axis=1, keepdims=True)     # stable softmax
                E = np.exp(Z)
                A = E / np.sum(E, axis=1, keepdims=True)
            activations.append(A)
        return activations

    def predict(self, X):
        return self.forward(X)[-1]

    def step(self, X, Y, lr):
        """One full-batch (or minibatch) SGD step on X (m, n0), one-hot Y (m, K); returns the loss."""
        m = X.shape[0]
        activations = self.forward(X)
        P = activations[-1]
        loss = -np.mean(np.sum(Y * np.log(np.clip(P, 1e-12, 1)), axis=1))

        delta = P - Y
        grads = []
        for l in range(len(self.W) - 1, -1, -1):
            A_prev = activations[l]
            dW = A_prev.T @ delta / m
            db = delta.sum(0, keepdims=True) / m
            grads.append((dW, db))
            if l > 0:
                delta = (delta @ self.W[l].T) * (1 - A_prev ** 2)
        grads.reverse()

        for l, (dW, db) in enumerate(grads):
            self.W[l] -= lr * dW
            self.b[l] -= lr * db
        return loss
