"""The multilayer perceptron: forward pass, backpropagation, nothing else.

Row-as-example convention, as the seed writes it (l = 1..L, A[0] = X):
    Z[l] = A[l-1] @ W[l] + b[l]        W[l] (n_in, n_out), b[l] (1, n_out)
    A[l] = phi(Z[l])                   (the output layer uses softmax / sigmoid / identity)
    delta[L] = A[L] - Y                (output function and loss derivatives cancel)
    delta[l] = (delta[l+1] @ W[l+1].T) * phi'(Z[l])
    dW[l] = A[l-1].T @ delta[l] / m    db[l] = delta[l].sum(0) / m

Speed without changing that math: every W and b is a view into one flat parameter vector (and every
dW, db into one flat gradient vector), so an optimizer updates all layers with a handful of array
operations; the arrays of a forward/backward pass live in a workspace reused from step to step
(column-major, see Workspace), and predict() keeps its own, so it never disturbs training.
Lists in this module are 0-based: weights[0] is the seed's W[1].

Two doors to the same pass:
  forward, loss, backward                      check what they are given (mlp/engine/checks.py: a 1-D X is
                                               one example, a Y must have exactly the output's shape,
                                               nothing empty or non-finite), say what is wrong in one
                                               sentence, and return copies or the gradient views;
  forward_unchecked, loss_unchecked,           the training loop's pass: no checks at all, so X and Y
  backward_unchecked                           must already be 2-D arrays of the net's dtype and shapes;
                                               they work in the workspace and return its buffers.
After either, `last_pass` is the Workspace of that pass: Z, A, delta, ... of every layer, to read.
"""
from __future__ import annotations

import numpy as np

from mlp.engine import checks
from mlp.engine.activations import ACTIVATIONS
from mlp.engine.initializers import INITIALIZERS
from mlp.engine.outputs import OUTPUTS

# float32 trains about twice as fast as float64 here and is far more precise than a plot can show.
DEFAULT_DTYPE = np.float32


EVAL_BUFFER_BYTES = 8_000_000      # predict's buffers, about (see MLP.predict)
MIN_CHUNK_ROWS = 256
# Far beyond any teaching net, and refused before allocating: 10^8 parameters are 0.4 GB in float32,
# and the gradient, workspaces and optimizer state take as much again, several times over.
MAX_PARAMETERS = 100_000_000


class Workspace:
    """The arrays one forward/backward pass over m rows needs, allocated once per batch size.

    What a reader may use (all read-only; lists are 0-based, so z[0] is the seed's Z[1]):
      z[l], a[l]         Z and A = phi(Z) of layer l (the last layer's a is the output), (m, n_l)
      inputs[l]          what layer l multiplied by its W: X, then a[l-1] (after dropout, if trained)
      delta[l]           dLoss/dZ of layer l, times m (filled by a backward pass)
      gate[l]            phi'(Z) of hidden layer l (filled by a backward pass)
      mask[l]            the dropout scale of hidden layer l (0 or 1/(1-p)); None without dropout
      trained            whether the pass used dropout
      a_block, delta_block, gate_block   the same layers side by side, (m, sum of widths)
      ones               (m,) ones;  signals: what mlp.run.signals caches for this workspace

    Every buffer is column-major (order="F"): a unit's m values are contiguous. Adding the bias row,
    the softmax's per-row max and sum, and db = delta.sum(0) then run along long columns instead of
    m short rows, which is several times faster for narrow layers; matmul takes either layout at the
    same speed. The layers of one kind sit side by side in one (m, sum of widths) block (`*_block`),
    so the signals can read all layers with one array operation.
    """

    def __init__(self, m: int, sizes: tuple[int, ...], dtype, dropout: bool, backward: bool = True):
        widths, hidden = sizes[1:], sizes[1:-1]
        self.a_block, self.a = _blocks(m, widths, dtype)                # A[l] = phi(Z[l])
        self.z = _blocks(m, widths, dtype)[1]                           # Z[l]
        # inputs[l] is what layer l multiplies by W[l]: X, then A[l] (after dropout, when training)
        self.inputs: list[np.ndarray] = [None] * len(widths)
        self.trained = False    # did the cached pass use dropout?
        if not backward:        # a workspace for predict(): the forward arrays only
            return
        self.delta_block, self.delta = _blocks(m, widths, dtype)        # delta[l]
        self.gate_block, self.gate = _blocks(m, hidden, dtype)          # phi'(Z[l]) of hidden layers
        self.mask = _blocks(m, hidden, dtype)[1] if dropout else None
        self.dropped = _blocks(m, hidden, dtype)[1] if dropout else None
        # Y, copied into the same layout as A[L] (one fast copy) so that A[L] - Y and the loss do not
        # mix layouts, which costs numpy a slow strided loop
        self.target = np.empty((m, widths[-1]), dtype, order="F")
        self.scratch = np.empty((m, widths[-1]), dtype, order="F")
        self.ones = np.ones(m, dtype)              # ones @ delta = delta.sum(0), see backward_unchecked
        self.signals = None     # what mlp.run.signals precomputes for reading this workspace


def _blocks(m: int, widths, dtype) -> tuple[np.ndarray, list[np.ndarray]]:
    """One column-major (m, sum(widths)) block and its (m, n) column slices, each F-contiguous."""
    block = np.empty((m, sum(widths)), dtype, order="F")
    return block, _blocks_like(block, widths)


def _blocks_like(block: np.ndarray, widths) -> list[np.ndarray]:
    cuts = np.cumsum([0, *widths]).tolist()
    return [block[:, i:j] for i, j in zip(cuts[:-1], cuts[1:])]


class MLP:
    """A fully connected network, e.g. MLP([2, 8, 8, 2], activation="tanh", output="softmax").

    `sizes` lists the widths from input to output (whole numbers >= 1). `activation`, `output` and
    `init` are names from ACTIVATIONS, OUTPUTS and INITIALIZERS. `dtype=None` uses the training
    default (float32); pass "float64" for exact checks. `weights[l]` and `biases[l]` are views into
    `params`: change them in place (`net.weights[0][...] = W`), never rebind them.
    """

    def __init__(self, sizes, activation="tanh", output="softmax", init="xavier_normal", seed=0,
                 dtype=None, bias_init=0.0, init_gain=1.0, dropout=0.0):
        self.sizes = checks.widths(sizes)
        self.activation = ACTIVATIONS[activation]
        self.output = OUTPUTS[output]
        if self.output.name == "sigmoid" and self.sizes[-1] != 1:
            raise checks.refuse("output 'sigmoid'", "one unit (the probability of class 1), so sizes[-1] = 1",
                                f"sizes[-1] = {self.sizes[-1]}; for {self.sizes[-1]} classes use 'softmax'")
        self.dropout = checks.real(dropout, "dropout", 0.0, 1.0, below=True)
        self.dtype = checks.float_dtype(dtype, DEFAULT_DTYPE)
        self.seed = checks.seed(seed)
        bias_init = checks.real(bias_init, "bias_init")
        init_gain = checks.real(init_gain, "init_gain", 0.0)

        shapes = list(zip(self.sizes[:-1], self.sizes[1:]))
        n_weights = sum(i * o for i, o in shapes)
        n_params = n_weights + sum(self.sizes[1:])
        if n_params > MAX_PARAMETERS:
            raise checks.refuse("sizes", f"widths giving at most {MAX_PARAMETERS:,} weights and biases",
                                f"{checks.shown(list(self.sizes), 40)}, {n_params:.3g} of them")
        self.params = np.empty(n_params, self.dtype)             # [W1..WL, b1..bL]
        self.grad = np.zeros_like(self.params)
        self.n_weights = n_weights            # params[:n_weights] are the weights (L1/L2 act there)
        self.weights, self.biases = self._views(self.params, shapes)
        dweights, dbiases = self._views(self.grad, shapes)
        self.grads = list(zip(dweights, dbiases))

        rng = np.random.default_rng(self.seed)
        scheme = INITIALIZERS[init]
        for W, (n_in, n_out) in zip(self.weights, shapes):
            W[...] = scheme(n_in, n_out, rng, init_gain)
        self.params[n_weights:] = bias_init
        # its own stream, so turning dropout on does not change the initial weights; a trainer saves
        # and restores its state (bit_generator.state) with the rest of a run
        self.dropout_rng = np.random.default_rng([self.seed, 1])
        self._workspaces: dict[int, Workspace] = {}          # training passes, by batch size
        self._eval_workspaces: dict[int, Workspace] = {}     # predict / layer_outputs, by size
        self._last: Workspace | None = None

    @staticmethod
    def _views(flat, shapes):
        weights, biases, at = [], [], 0
        for n_in, n_out in shapes:
            weights.append(flat[at:at + n_in * n_out].reshape(n_in, n_out))
            at += n_in * n_out
        for _, n_out in shapes:
            biases.append(flat[at:at + n_out].reshape(1, n_out))
            at += n_out
        return weights, biases

    @property
    def last_pass(self) -> Workspace | None:
        """The arrays of the last forward (and backward) pass, to read: see Workspace. None before any.

        They are the net's own buffers, overwritten by the next pass over as many rows: copy to keep.
        """
        return self._last

    @property
    def n_layers(self) -> int:
        """L: the number of weight layers (hidden layers + the output layer)."""
        return len(self.weights)

    def _workspace(self, m: int) -> Workspace:
        ws = self._workspaces.get(m)
        if ws is None:
            if len(self._workspaces) >= 4:    # batch, last partial batch, a check or two: no more
                self._workspaces.pop(next(iter(self._workspaces)))
            ws = self._workspaces[m] = Workspace(m, self.sizes, self.dtype, self.dropout > 0)
        return ws

    def _eval_workspace(self, m: int) -> Workspace:
        ws = self._eval_workspaces.get(m)
        if ws is None:
            if len(self._eval_workspaces) >= 2:    # the decision-boundary grid, the neuron grid
                self._eval_workspaces.pop(next(iter(self._eval_workspaces)))
            ws = self._eval_workspaces[m] = Workspace(m, self.sizes, self.dtype, False, backward=False)
        return ws

    def _rows(self, X) -> np.ndarray:
        """X checked and in the net's dtype: (m, n0), m >= 1, finite; a 1-D point is one row (1, n0)."""
        return checks.rows(X, self.sizes[0], self.dtype)

    def _targets(self, Y) -> np.ndarray:
        """Y checked against the last forward pass: (m, nL) in the net's dtype, finite."""
        ws = self._last
        if ws is None:
            raise RuntimeError("call forward(X) before loss(Y) or backward(Y): they compare Y with its output")
        return checks.targets(Y, ws.a[-1].shape[0], self.sizes[-1], self.dtype)

    # -- forward -----------------------------------------------------------------------------
    def forward(self, X, train: bool = False) -> np.ndarray:
        """X (m, n0) -> A[L] (m, nL), a copy. Caches Z, A for `backward`. `train` applies dropout.

        A 1-D X of n0 values is one example, the row (1, n0): its output is (1, nL).
        """
        return np.array(self.forward_unchecked(self._rows(X), train), order="C")

    def forward_unchecked(self, X: np.ndarray, train: bool = False) -> np.ndarray:
        """The training loop's forward: X (m, n0) -> A[L] (m, nL), the workspace's own buffer.

        No checks: X must already be a 2-D array of the net's dtype, n0 columns, m >= 1 rows.
        `train` applies dropout. The pass's arrays are then `last_pass`.
        """
        ws = self._workspace(len(X))
        a = self._pass(ws, X, train and self.dropout > 0)
        self._last = ws
        return a

    def _pass(self, ws: Workspace, X: np.ndarray, drop: bool) -> np.ndarray:
        """Z[l] = A[l-1] @ W[l] + b[l], A[l] = phi(Z[l]) for l = 1..L into ws; returns A[L]."""
        phi, last = self.activation.fn, self.n_layers - 1
        a = X
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            ws.inputs[l] = a
            z = np.matmul(a, W, out=ws.z[l])
            z += b
            if l == last:
                a = self.output.fn(z, ws.a[l])
            else:
                a = phi(z, ws.a[l])
                if drop:    # inverted dropout: keep with prob 1-p, scale by 1/(1-p) so E[a] is unchanged
                    keep = self.dropout_rng.random(a.shape, dtype=self.dtype) >= self.dropout
                    np.multiply(keep, 1.0 / (1.0 - self.dropout), out=ws.mask[l])
                    a = np.multiply(a, ws.mask[l], out=ws.dropped[l])
        ws.trained = drop
        return a

    def predict(self, X) -> np.ndarray:
        """A[L] (m, nL) for X (m, n0), a new array; no dropout, and the training cache is untouched.

        Large inputs through wide nets go in chunks of rows, so the buffers stay near
        EVAL_BUFFER_BYTES (a 100 x 100 grid through 12 layers of 256 would otherwise hold ~100 MB
        per session on a shared server); the result is the same row by row, to float32 rounding (a
        small chunk's layer may take np.tanh where a large one takes tanh's exp form, activations.py).
        A 1-D X of n0 values is one example, as in `forward`.
        """
        return self.predict_unchecked(self._rows(X))

    def predict_unchecked(self, X: np.ndarray) -> np.ndarray:
        """`predict` without checks: X must already be a 2-D (m, n0) array of the net's dtype, m >= 1
        (the trainer's sets, the output picture's grid)."""
        m = len(X)
        rows = max(MIN_CHUNK_ROWS, EVAL_BUFFER_BYTES // (3 * sum(self.sizes) * self.dtype.itemsize))
        if m <= rows:
            return np.array(self._pass(self._eval_workspace(m), X, False), order="C")
        out = np.empty((m, self.sizes[-1]), self.dtype)
        ws, padded = self._eval_workspace(rows), np.zeros((rows, X.shape[1]), self.dtype)
        for start in range(0, m, rows):
            chunk = X[start:start + rows]
            n = len(chunk)
            if n < rows:                  # the ragged end, padded: one buffer size for every chunk
                padded[:n] = chunk
                chunk = padded
            out[start:start + n] = self._pass(ws, chunk, False)[:n]
        return out

    def layer_outputs(self, X) -> list[np.ndarray]:
        """[A[1], ..., A[L]] for X (m, n0), each (m, n_l): what every neuron outputs, no dropout.

        New arrays (column slices of one copy), yours to keep. A 1-D X is one example, as in `forward`.
        """
        return self.layer_outputs_unchecked(self._rows(X))

    def layer_outputs_unchecked(self, X: np.ndarray) -> list[np.ndarray]:
        """`layer_outputs` without checks: X must already be a 2-D (m, n0) array of the net's dtype."""
        ws = self._eval_workspace(len(X))
        self._pass(ws, X, False)
        return _blocks_like(ws.a_block.copy(order="F"), self.sizes[1:])

    def hidden_preactivations(self, X) -> list[np.ndarray]:
        """[Z[1], ..., Z[L-1]] for X (m, n0), each (m, n_l): copies, from a forward pass without dropout."""
        self.forward(X)
        return [z.copy() for z in self._last.z[:-1]]

    # -- loss and backward --------------------------------------------------------------------
    def loss(self, Y) -> float:
        """The mean loss of the last forward pass against targets Y (m, nL)."""
        return self.loss_unchecked(self._targets(Y))

    def loss_unchecked(self, Y: np.ndarray) -> float:
        """The training loop's loss: the mean loss of `last_pass` against targets Y.

        No checks: Y must already be (m, nL) in the net's dtype, m the rows of the last forward pass.
        """
        ws = self._last
        np.copyto(ws.target, Y)
        return self.output.loss(ws.a[-1], ws.target, ws.scratch)

    def backward(self, Y) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(dW[l], db[l]), ...]: the gradient of the mean loss of the last forward pass.

        Y (m, nL) as for `loss`. The arrays are views into `self.grad`, overwritten by the next
        backward: copy to keep them.
        """
        self.backward_unchecked(self._targets(Y))
        return self.grads

    def backward_unchecked(self, Y: np.ndarray) -> None:
        """The training loop's backward: fills `grad` (and so `grads`) and last_pass's delta and gate.

        No checks: Y must already be (m, nL) in the net's dtype, m the rows of the last forward pass.
        """
        ws = self._last
        derivative, ones = self.activation.derivative, ws.ones
        np.copyto(ws.target, Y)
        delta = np.subtract(ws.a[-1], ws.target, out=ws.delta[-1])    # delta[L] = A[L] - Y
        for l in range(self.n_layers - 1, -1, -1):
            dW, db = self.grads[l]
            np.matmul(ws.inputs[l].T, delta, out=dW)                  # A[l-1].T @ delta[l]
            np.matmul(ones, delta, out=db[0])     # delta[l].sum(0), as a BLAS product: faster than np.sum
            if l == 0:
                break
            below = np.matmul(delta, self.weights[l].T, out=ws.delta[l - 1])   # delta[l+1] @ W[l+1].T
            below *= derivative(ws.z[l - 1], ws.a[l - 1], ws.gate[l - 1])      # * phi'(Z[l])
            if ws.trained:
                below *= ws.mask[l - 1]     # a dropped unit passed nothing forward, gets nothing back
            delta = below
        self.grad *= 1.0 / len(Y)                                     # every dW and db at once: / m

    def flat_gradient(self, grads) -> np.ndarray:
        """The gradient as one vector laid out like `params`; `grads` is a backward() result or a copy."""
        if grads is self.grads:
            return self.grad
        pairs = self._gradient_pairs(grads)
        flat = np.concatenate([dW.ravel() for dW, _ in pairs] + [db.ravel() for _, db in pairs])
        return checks.finite(flat, self.dtype, "grads")

    def _gradient_pairs(self, grads) -> list[tuple[np.ndarray, np.ndarray]]:
        """grads as L (dW, db) arrays shaped like (weights[l], biases[l]), or a refusal saying so."""
        shapes = [(W.shape, b.shape) for W, b in zip(self.weights, self.biases)]
        try:
            pairs = [(checks.number_array(dW, "grads"), checks.number_array(db, "grads")) for dW, db in grads]
            fits = [(dW.shape, db.shape) for dW, db in pairs] == shapes
        except (TypeError, ValueError):     # not pairs at all
            fits = False
        if not fits:
            raise checks.refuse("grads", f"a backward() result: {self.n_layers} pairs (dW, db) shaped like "
                                         f"(weights[l], biases[l]), the first {shapes[0]}", checks.shown(grads))
        return pairs

    # -- state ---------------------------------------------------------------------------------
    def copy_params(self) -> np.ndarray:
        return self.params.copy()

    def set_params(self, flat) -> None:
        """Overwrite every weight and bias from numbers laid out like `params` (any shape of that size).

        nan and inf are taken as given: a diverged net holds them, and restoring one passes here.
        """
        a = checks.number_array(flat, "flat")
        if a.size != self.params.size:
            raise checks.refuse("flat", f"{self.params.size} numbers, one per weight and bias as in params",
                                f"{a.size} numbers ({checks.shown(flat)})")
        with np.errstate(over="ignore"):        # a float64 beyond float32's range becomes inf, as before
            np.copyto(self.params, a.reshape(self.params.shape), casting="unsafe")
