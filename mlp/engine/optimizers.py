"""Optimizers: each updates the net's parameter vector in place from the gradient vector.

Because every W and b lives in one flat vector (see network.py), one update is a few whole-vector
operations however deep the net is. State (velocity, moments) is kept per parameter entry.
`lr` is a plain attribute: changing it between steps changes the running optimizer, as in TF Playground.
The constructors check their hyper-parameters (lr > 0, betas in [0, 1), eps > 0, all finite); the
attribute is not checked again at every step, since the trainer sets it there.

`state()` and `load_state()` carry the running state out and back in (a trainer's step back, a saved
file): the vectors each kind names in STATE_ARRAYS and the counters in STATE_COUNTERS.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp.engine import checks
from mlp.engine.network import MLP


class Optimizer:
    STATE_ARRAYS: tuple[str, ...] = ()      # attributes holding one number per parameter entry
    STATE_COUNTERS: tuple[str, ...] = ()    # attributes holding a whole number

    def __init__(self, lr: float):
        self.lr = checks.real(lr, "lr", 0.0, above=True)
        self._scratch = None

    def state(self) -> dict[str, np.ndarray | int] | None:
        """Copies of what the next update depends on besides the hyper-parameters: each of
        STATE_ARRAYS (shaped like net.params) and STATE_COUNTERS by name. None before the first step,
        while there is no state yet (SGD's, once started, is the empty dict)."""
        if self._scratch is None:
            return None
        return {**{name: getattr(self, name).copy() for name in self.STATE_ARRAYS},
                **{name: getattr(self, name) for name in self.STATE_COUNTERS}}

    def load_state(self, state: dict, params: np.ndarray) -> None:
        """Take on a `state()` result, for a net whose parameter vector is `params` (its shape and dtype).

        The arrays are copied in; the names must be exactly this kind's, the counters whole numbers >= 0.
        """
        names = set(self.STATE_ARRAYS) | set(self.STATE_COUNTERS)
        if not isinstance(state, dict) or set(state) != names:
            raise checks.refuse("state", f"a {type(self).__name__}.state() dict with keys {sorted(names)}",
                                checks.shown(state))
        for name in self.STATE_ARRAYS:
            if np.shape(state[name]) != params.shape:
                raise checks.refuse(f"state[{name!r}]", f"an array shaped like params, {params.shape}",
                                    checks.shown(state[name]))
        for name in self.STATE_COUNTERS:
            if type(state[name]) is not int or state[name] < 0:
                raise checks.refuse(f"state[{name!r}]", "a whole number >= 0", checks.shown(state[name]))
        self._scratch = np.empty_like(params)
        for name in self.STATE_ARRAYS:
            setattr(self, name, np.array(state[name], params.dtype))
        for name in self.STATE_COUNTERS:
            setattr(self, name, int(state[name]))

    def step(self, net, grads) -> None:
        """Apply one update to `net` from `grads` (a `net.backward` result, or a copy of one)."""
        if not isinstance(net, MLP):        # the one check on the training loop's path: ~0.1 µs
            raise checks.refuse("net", "an mlp.MLP", checks.shown(net), TypeError)
        g = net.flat_gradient(grads)
        if self._scratch is None or self._scratch.shape != g.shape or self._scratch.dtype != g.dtype:
            self._scratch = np.empty_like(g)
            self._reset(g)
        self._update(net.params, g, self._scratch)

    def _reset(self, g) -> None:
        """Fresh state shaped like the gradient (a new or rebuilt net)."""

    def _update(self, p, g, s) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """p <- p - lr · g"""

    def _update(self, p, g, s):
        np.multiply(g, self.lr, out=s)
        p -= s


class Momentum(Optimizer):
    """v <- beta · v + g;  p <- p - lr · v   (heavy-ball momentum, as PyTorch writes it)"""
    STATE_ARRAYS = ("velocity",)

    def __init__(self, lr: float, beta: float = 0.9):
        super().__init__(lr)
        self.beta = checks.real(beta, "beta", 0.0, 1.0, below=True)

    def _reset(self, g):
        self.velocity = np.zeros_like(g)

    def _update(self, p, g, s):
        v = self.velocity
        v *= self.beta
        v += g
        np.multiply(v, self.lr, out=s)
        p -= s


class Adam(Optimizer):
    """m <- b1·m + (1-b1)·g;  v <- b2·v + (1-b2)·g²;  t <- t + 1
    p <- p - lr · m̂ / (sqrt(v̂) + eps),  m̂ = m / (1 - b1^t),  v̂ = v / (1 - b2^t)"""
    STATE_ARRAYS = ("m", "v")
    STATE_COUNTERS = ("t",)

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = checks.real(beta1, "beta1", 0.0, 1.0, below=True)
        self.beta2 = checks.real(beta2, "beta2", 0.0, 1.0, below=True)
        self.eps = checks.real(eps, "eps", 0.0, above=True)
        self.t = 0

    def _reset(self, g):
        self.m = np.zeros_like(g)
        self.v = np.zeros_like(g)
        self.t = 0

    def _update(self, p, g, s):
        b1, b2 = self.beta1, self.beta2
        self.t += 1
        self.m *= b1
        np.multiply(g, 1.0 - b1, out=s)
        self.m += s
        self.v *= b2
        np.multiply(g, g, out=s)
        s *= 1.0 - b2
        self.v += s
        # sqrt(v̂) = sqrt(v) / sqrt(1 - b2^t): the bias corrections become two scalars
        np.sqrt(self.v, out=s)
        s *= 1.0 / np.sqrt(1.0 - b2 ** self.t)
        s += self.eps
        np.divide(self.m, s, out=s)
        s *= self.lr / (1.0 - b1 ** self.t)
        p -= s


@dataclass(frozen=True)
class OptimizerSpec:
    name: str
    label: str
    make: type
    default_lr: float
    help: str


OPTIMIZERS: dict[str, OptimizerSpec] = checks.Registry("optimizer", [
    OptimizerSpec("sgd", "SGD", SGD, 0.03, "Plain gradient descent: step against the gradient, lr times its size."),
    OptimizerSpec("momentum", "Momentum", Momentum, 0.03,
                  "Keeps a running sum of past gradients (factor beta), so steps build speed along steady slopes."),
    OptimizerSpec("adam", "Adam", Adam, 0.01,
                  "Scales each weight's step by a running estimate of its gradient's size: robust to the lr."),
])
