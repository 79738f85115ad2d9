"""The reference: a plain float64 NumPy MLP, written the way a student writes it from the math.

Two jobs. bench/engine.py times mlp's engine against it (tanh, softmax, plain SGD: the defaults), and
tests/test_naive_oracle.py checks mlp/engine/network.py and mlp/engine/optimizers.py against it: the engine's fast
path (one flat parameter vector, column-major workspaces, fused updates) must compute what this
short loop computes. So nothing here is tuned, and nothing is imported from mlp/: fresh arrays every
step, one layer at a time, every formula written out where it is used.

    Z[l] = A[l-1] @ W[l] + b[l],  A[l] = phi(Z[l]),  A[L] = output(Z[L])
    delta[L] = A[L] - Y                           (each output is paired with the loss that makes it so)
    dW[l] = A[l-1].T @ delta[l] / m,  db[l] = delta[l].sum(0) / m
    delta[l-1] = (delta[l] @ W[l].T) * phi'(Z[l-1])
    then an update of every W[l], b[l]: SGD, momentum or Adam (below)
"""
from __future__ import annotations

import numpy as np

# phi(z) and phi'(z, a) with a = phi(z): the textbook formulas, taking a where a student would
PHI = {
    "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0) * 1.0),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z, a: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1),
            lambda z, a: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0)))),
    "linear": (lambda z: z, lambda z, a: np.ones_like(z)),
}


def softmax(Z):
    E = np.exp(Z - np.max(Z, axis=1, keepdims=True))     # stable: the row max subtracted
    return E / np.sum(E, axis=1, keepdims=True)


# the output function and its loss (mean over the m rows)
OUTPUT = {
    "softmax": (softmax, lambda P, Y: -np.mean(np.sum(Y * np.log(np.clip(P, 1e-12, 1)), axis=1))),
    "sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)),
                lambda P, Y: -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))),
    "linear": (lambda Z: Z, lambda P, Y: 0.5 * np.mean(np.sum((P - Y) ** 2, axis=1))),
}


class NaiveMLP:
    """Fully connected, float64 throughout; `activation` a key of PHI, `output` a key of OUTPUT.

    Weights are Xavier-normal, drawn exactly as mlp.MLP(..., init="xavier_normal", seed=seed) draws
    them (one `default_rng(seed)`, layer by layer), so both start from the same point; biases 0.
    """

    def __init__(self, sizes, seed=0, activation="tanh", output="softmax"):
        rng = np.random.default_rng(seed)
        self.phi, self.dphi = PHI[activation]
        self.out, self.loss_of = OUTPUT[output]
        self.W, self.b = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            std = np.sqrt(2.0 / (n_in + n_out))
            self.W.append(rng.standard_normal((n_in, n_out)) * std)
            self.b.append(np.zeros((1, n_out)))

    def forward(self, X):
        """([Z1, ..., ZL], [X, A1, ..., AL]): every layer's pre-activation and activation."""
        A = X
        Zs, activations = [], [A]
        L = len(self.W)
        for l in range(L):
            Z = A @ self.W[l] + self.b[l]
            A = self.phi(Z) if l < L - 1 else self.out(Z)
            Zs.append(Z)
            activations.append(A)
        return Zs, activations

    def predict(self, X):
        return self.forward(X)[1][-1]

    def gradients(self, X, Y):
        """(mean loss, [(dW1, db1), ..., (dWL, dbL)]) on X (m, n0), Y (m, nL)."""
        m = X.shape[0]
        Zs, activations = self.forward(X)
        P = activations[-1]
        loss = self.loss_of(P, Y)
        delta = P - Y
        grads = []
        for l in range(len(self.W) - 1, -1, -1):
            A_prev = activations[l]
            dW = A_prev.T @ delta / m
            db = delta.sum(0, keepdims=True) / m
            grads.append((dW, db))
            if l > 0:
                delta = (delta @ self.W[l].T) * self.dphi(Zs[l - 1], A_prev)
        grads.reverse()
        return loss, grads

    def step(self, X, Y, lr=0.1, optimizer=None):
        """One update on the batch X, Y; returns the loss before it. Plain SGD with `lr` unless an
        `optimizer` (NaiveMomentum, NaiveAdam) is given."""
        loss, grads = self.gradients(X, Y)
        params = [p for pair in zip(self.W, self.b) for p in pair]
        flat_grads = [g for pair in grads for g in pair]
        if optimizer is None:
            for p, g in zip(params, flat_grads):
                p -= lr * g
        else:
            optimizer.update(params, flat_grads)
        return loss


class NaiveMomentum:
    """v <- beta v + g;  p <- p - lr v   (one v per array, zero at the start)."""

    def __init__(self, lr, beta=0.9):
        self.lr, self.beta, self.v = lr, beta, None

    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.beta
            v += g
            p -= self.lr * v


class NaiveAdam:
    """Kingma & Ba's Algorithm 1: m, v moving averages of g and g², bias-corrected by 1 - beta^t."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m[...] = self.beta1 * m + (1 - self.beta1) * g
            v[...] = self.beta2 * v + (1 - self.beta2) * g ** 2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
