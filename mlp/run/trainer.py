"""The trainer: a config becomes data, a net and an optimizer; `run(n)` trains n minibatch steps.

After each run it evaluates the train and test sets, records one row of history and returns a
`Readout` with the per-layer signals of the last step. A run that overflows (a huge learning rate,
an exploding init) stops at the step it happened, restores the last finite weights and says so:
`report.diverged_at`. Nothing is printed and NumPy warnings stay silent.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mlp.engine import metrics
from mlp.run.config import Config
from mlp.engine.datasets import Dataset, featurize, make_dataset, one_hot
from mlp.run.history import History
from mlp.engine.network import MLP
from mlp.engine.optimizers import OPTIMIZERS
from mlp.engine.schedules import SCHEDULES
from mlp.run.signals import LayerSignals, collect_signals
from mlp.engine.step import train_step_unchecked

# Settings a running net can take on the fly, as in TF Playground; any other change means a new run.
LIVE_FIELDS = frozenset({"optimizer", "lr", "momentum", "beta1", "beta2", "schedule", "schedule_period",
                         "schedule_factor", "batch_size", "regularization", "reg_rate", "clip_norm",
                         "tripwire", "target_loss"})
HISTORY_CAPACITY = 1024
MAX_CHECKPOINTS = 30
CHECKPOINT_BYTES = 8_000_000       # all checkpoints of a run together, so "step back" stays cheap


@dataclass(frozen=True)
class Readout:
    """What the instruments read after `run(n)` or `probe()`: losses, scores and the last step's signals."""
    step: int                       # steps taken so far
    epoch: float                    # passes over the training set so far
    lr: float                       # the learning rate of the last step
    train_loss: float
    test_loss: float
    train_metric: float             # accuracy (classification) or R² (regression)
    test_metric: float
    test_rmse: float                # nan for classification
    confusion: np.ndarray | None    # (K, K) on the test set, classification only
    signals: LayerSignals | None    # of the last step; None when no step was taken
    diverged_at: int | None         # the step whose numbers overflowed, while diverged
    tripped_layer: int | None = None  # 0-based layer whose ‖dW‖ crossed the tripwire in this run
    reached_target: bool = False    # the training loss is at or below the config's target_loss


@dataclass(frozen=True)
class TrainerState:
    """Everything that decides what the next steps do: restoring it and training gives exactly the
    steps that followed it (same batches, same dropout masks, same optimizer moments).

    The one snapshot behind both "step back" (kept in memory) and a saved file (mlp/run/checkpoint.py
    writes each field as arrays or JSON). Its arrays are copies, never the trainer's own.
    """
    step: int
    params: np.ndarray              # (P,) the flat weights and biases, as net.params
    optimizer_config: Config        # the settings the optimizer was made from (its kind and betas)
    optimizer: dict | None          # optimizer.state(); None before its first step
    order: np.ndarray               # (m_train,) the batch order of the current epoch
    cursor: int                     # where in `order` the next batch starts
    order_rng: dict                 # the batch-order generator's bit_generator.state
    dropout_rng: dict               # the net's dropout generator's bit_generator.state


def make_optimizer(config: Config):
    spec = OPTIMIZERS[config.optimizer]
    if config.optimizer == "momentum":
        return spec.make(config.lr, beta=config.momentum)
    if config.optimizer == "adam":
        return spec.make(config.lr, beta1=config.beta1, beta2=config.beta2)
    return spec.make(config.lr)


class Trainer:
    def __init__(self, config: Config, dtype=None, data: Dataset | None = None):
        """`data`: train on this Dataset instead of generating the config's (the student's own points,
        a loaded file); it must be the problem and number of classes the config expects."""
        self.config = config
        if data is None:
            data = make_dataset(config.dataset, config.n_samples, config.noise, config.train_fraction,
                                config.data_seed, config.n_classes)
        elif (data.problem, data.n_classes) != (config.problem, config.n_output_classes):
            raise ValueError(f"the data is {data.problem} with {data.n_classes} classes but the config expects "
                             f"{config.problem} with {config.n_output_classes}")
        self.data = data
        self.net = MLP(config.layer_sizes, activation=config.activation, output=config.output,
                       init=config.init, seed=config.seed, dtype=dtype, bias_init=config.bias_init,
                       init_gain=config.init_gain, dropout=config.dropout)
        dt = self.net.dtype
        self.X_train = featurize(data.X_train, config.features, dt)
        self.X_test = featurize(data.X_test, config.features, dt)
        self.Y_train, self.Y_test = self._targets(data.y_train), self._targets(data.y_test)
        self.optimizer = make_optimizer(config)
        self.step = 0
        self.diverged_at: int | None = None
        self.last_good = self.net.copy_params()     # the last weights a step proved finite (see run)
        self._order_rng = np.random.default_rng([config.seed, 2])   # batch order: its own stream
        self._order = np.arange(len(self.X_train))
        self._cursor = len(self._order)                              # forces a shuffle on first use
        self._batch_x = self._batch_y = None
        self._checkpoints: list[TrainerState] = []
        self.seconds_per_step = 0.0      # measured in the last run: the live loop sizes frames by it
        L = self.net.n_layers
        self.history = History({"step": (), "epoch": (), "lr": (), "train_loss": (), "test_loss": (),
                                "train_metric": (), "test_metric": (), "grad_norm": (L,), "weight_norm": (L,),
                                "update_ratio": (L,), "delta_mean_abs": (L,)}, HISTORY_CAPACITY)

    def _targets(self, y):
        """Labels or values (m,) -> what the output layer is compared with, in the net's dtype."""
        out, dt = self.config.output, self.net.dtype
        if out == "softmax":
            return one_hot(y, self.config.n_output_classes, dt)
        return np.ascontiguousarray(y.reshape(-1, 1), dtype=dt)

    # -- live changes ----------------------------------------------------------------------------
    def apply(self, config: Config) -> bool:
        """Take on a changed config if only live fields changed; False means: build a new Trainer."""
        changed = {k for k in config.to_query() if getattr(config, k) != getattr(self.config, k)}
        if not changed <= LIVE_FIELDS:
            return False
        optimizer_changed = {"optimizer", "momentum", "beta1", "beta2"} & changed
        self.config = config
        if optimizer_changed:
            self.optimizer = make_optimizer(config)     # fresh state: old moments mean nothing to it
        self.diverged_at = None                         # a new lr may well tame it: let it try
        return True

    # -- training --------------------------------------------------------------------------------
    @property
    def epoch(self) -> float:
        return self.step * min(self.config.batch_size, len(self.X_train)) / len(self.X_train)

    def lr_at(self, step: int) -> float:
        c = self.config
        return SCHEDULES[c.schedule].rate(c.lr, step, c.schedule_period, c.schedule_factor)

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        m, size = len(self.X_train), min(self.config.batch_size, len(self.X_train))
        if size == m:
            return self.X_train, self.Y_train
        if self._cursor + size > m:              # a new epoch: reshuffle (drop the ragged tail)
            self._order_rng.shuffle(self._order)
            self._cursor = 0
        rows = self._order[self._cursor:self._cursor + size]
        self._cursor += size
        if self._batch_x is None or len(self._batch_x) != size:
            self._batch_x = np.empty((size, self.X_train.shape[1]), self.net.dtype)
            self._batch_y = np.empty((size, self.Y_train.shape[1]), self.net.dtype)
        np.take(self.X_train, rows, axis=0, out=self._batch_x)
        np.take(self.Y_train, rows, axis=0, out=self._batch_y)
        return self._batch_x, self._batch_y

    def run(self, n_steps: int, signals: bool = True) -> Readout:
        """Train n_steps minibatch steps (none while diverged) and report.

        Stops early at divergence, or when a layer's gradient norm crosses the config's tripwire.
        """
        c, net, opt = self.config, self.net, self.optimizer
        l1 = c.reg_rate if c.regularization == "l1" else 0.0
        l2 = c.reg_rate if c.regularization == "l2" else 0.0
        constant_lr = c.schedule == "constant"
        opt.lr = c.lr
        took, tripped = 0, None
        if n_steps > 0 and self.diverged_at is None:
            self._checkpoint()
        started = time.perf_counter()
        with np.errstate(all="ignore"):
            for _ in range(n_steps if self.diverged_at is None else 0):
                if not constant_lr:
                    opt.lr = self.lr_at(self.step)
                X, Y = self._next_batch()
                loss, grad_norm = train_step_unchecked(net, opt, X, Y, l1, l2, c.clip_norm, self.last_good)
                if not (np.isfinite(loss) and np.isfinite(grad_norm)):
                    self.diverged_at = self.step + 1
                    np.copyto(net.params, self.last_good)     # the last finite weights
                    break
                self.step += 1
                took += 1
                if c.tripwire and grad_norm > c.tripwire:       # only then is any layer's norm above it
                    norms = [np.sqrt(np.vdot(dW, dW)) for dW, _ in net.grads]
                    if max(norms) > c.tripwire:
                        tripped = int(np.argmax(norms))
                        break
            if took:
                self.seconds_per_step = (time.perf_counter() - started) / took
            layer_signals = collect_signals(net, self.last_good) if signals and took else None
            return self._evaluate(layer_signals, opt.lr, tripped_layer=tripped)

    # -- snapshots and stepping back -------------------------------------------------------------
    def snapshot(self) -> TrainerState:
        """The state the next steps depend on, copied (see TrainerState)."""
        return TrainerState(self.step, self.net.copy_params(), self.config, self.optimizer.state(),
                            self._order.copy(), self._cursor, self._order_rng.bit_generator.state,
                            self.net.dropout_rng.bit_generator.state)

    def restore(self, state: TrainerState) -> None:
        """Return to `state` (from `snapshot`, or a saved file): the next steps are those that followed it.

        The optimizer is made afresh from state.optimizer_config and takes on the saved moments; its
        learning rate is the current config's. History, divergence and `last_good` are left to the caller.
        """
        self.net.set_params(state.params)
        optimizer = make_optimizer(state.optimizer_config)
        if state.optimizer is not None:
            optimizer.load_state(state.optimizer, self.net.params)
        optimizer.lr = self.config.lr
        self.optimizer = optimizer
        self._order, self._cursor = state.order.copy(), state.cursor
        self._order_rng.bit_generator.state = state.order_rng
        self.net.dropout_rng.bit_generator.state = state.dropout_rng
        self.step = state.step

    def before_hand_edit(self) -> None:
        """Keep the state before the weights are changed by hand (call it first): `step_back` then undoes
        the edit as it undoes a step."""
        self._checkpoint()

    def _checkpoint(self) -> None:
        last = self._checkpoints[-1] if self._checkpoints else None
        if last is not None and last.step == self.step and not self._differs(last):
            return
        self._checkpoints.append(self.snapshot())
        size = self._checkpoints[0].params.nbytes * (3 if self.config.optimizer == "adam" else 2)
        keep = max(1, min(MAX_CHECKPOINTS, CHECKPOINT_BYTES // max(size, 1)))
        del self._checkpoints[:-keep]

    def _differs(self, cp: TrainerState) -> bool:
        """Whether the net has moved on from `cp`: steps taken since, or weights edited by hand at its step."""
        return cp.step < self.step or (cp.step == self.step
                                       and not np.array_equal(cp.params, self.net.params, equal_nan=True))

    def _undo_point(self) -> int | None:
        """The index of the latest kept state the net has moved on from, if any."""
        return next((i for i in range(len(self._checkpoints) - 1, -1, -1)
                     if self._differs(self._checkpoints[i])), None)

    @property
    def can_step_back(self) -> bool:
        return self._undo_point() is not None

    def step_back(self) -> bool:
        """Return to the latest kept state before the current step or hand edit (False if there is none).

        Replaying from there gives exactly the same steps again (same batches, same dropout).
        """
        i = self._undo_point()
        if i is None:
            return False
        cp = self._checkpoints[i]
        del self._checkpoints[i + 1:]
        self.restore(cp)
        self.diverged_at = None
        self.history.drop_after(cp.step)
        return True

    def probe(self) -> Readout:
        """Readout with the signals of a step on the whole training set, without taking it.

        What the gradient views show before training starts (and the labs' "at initialisation").
        The first probe of a step is recorded in the history, so curves start at step 0.
        """
        net = self.net
        with np.errstate(all="ignore"):
            net.forward_unchecked(self.X_train, False)
            net.backward_unchecked(self.Y_train)
            layer_signals = collect_signals(net, None)
            steps = self.history.column("step")
            fresh = len(steps) == 0 or steps[-1] < self.step
            return self._evaluate(layer_signals, self.lr_at(self.step), record=fresh)

    def _evaluate(self, layer_signals: LayerSignals | None, lr: float, record: bool = True,
                  tripped_layer: int | None = None) -> Readout:
        c, net = self.config, self.net
        scores = {}
        for part, X, Y, y in (("train", self.X_train, self.Y_train, self.data.y_train),
                              ("test", self.X_test, self.Y_test, self.data.y_test)):
            P = net.predict_unchecked(X)    # in chunks: a big net's whole-set workspace would stay in memory
            loss = net.output.loss(P, Y, np.empty_like(P))
            if c.problem == "classification":
                predicted = metrics.predicted_labels(P)
                scores[part] = (loss, metrics.accuracy(y, predicted), predicted)
            else:
                scores[part] = (loss, metrics.r_squared(y, P[:, 0]), P[:, 0])
        confusion = rmse = None
        if c.problem == "classification":
            confusion = metrics.confusion_matrix(self.data.y_test, scores["test"][2], c.n_output_classes)
        else:
            rmse = metrics.rmse(self.data.y_test, scores["test"][2])
        report = Readout(self.step, self.epoch, lr, scores["train"][0], scores["test"][0], scores["train"][1],
                        scores["test"][1], np.nan if rmse is None else rmse, confusion, layer_signals,
                        self.diverged_at, tripped_layer,
                        bool(c.target_loss) and scores["train"][0] <= c.target_loss)
        if layer_signals is not None and record:
            self._record(report)
        return report

    def _record(self, r: Readout) -> None:
        s = r.signals
        self.history.append(step=r.step, epoch=r.epoch, lr=r.lr, train_loss=r.train_loss, test_loss=r.test_loss,
                            train_metric=r.train_metric, test_metric=r.test_metric, grad_norm=s.grad_norm,
                            weight_norm=s.weight_norm, update_ratio=s.update_ratio,
                            delta_mean_abs=s.delta_mean_abs)
