"""One session's memory budget: everything a browser tab holds, estimated from sizes before it is built.

The cost cap (Config.cost) bounds one run; a session may hold several: the Playground's run, the
Gradient flow lab's, the Compare lab's two, and the Initialization lab's one per scheme (ten when every
scheme is chosen). This module estimates what a trainer keeps from its config and its number of
points alone, so a page can ask before building whether the whole session would stay within
SESSION_BUDGET, and say which choice would pass it. It never measures the process (RSS is shared by
every session of a worker): the figures are sizes.

What a trainer keeps (bytes, with b the size of its numbers: 4 in float32, 8 in float64):
  activations   ACTIVATION_COPIES · b · points · Σ widths: the forward pass over every point (its
                pre-activations and outputs) and what the last probe and step kept of it;
  weights       WEIGHT_COPIES · b · P: the weights, the last good ones, the gradient, the optimizer's
                vectors and the update kept for the signals;
  step back     at most trainer.CHECKPOINT_BYTES of snapshots;
  data          the points (float64) and their features and targets (b);
  history       HISTORY_CAPACITY rows of 7 numbers and 4 per layer (float32);
  overhead      the trainer's Python objects.
The two copy counts are fitted on tracemalloc's figure for the heaviest runs (bench/worst_session.py
prints estimate and measurement side by side): each estimate is above what was measured.
"""
from __future__ import annotations

from typing import Iterable

from mlp.run.config import Config
from mlp.run.trainer import CHECKPOINT_BYTES, HISTORY_CAPACITY, MAX_CHECKPOINTS

SESSION_BUDGET = 200_000_000    # the heaviest single run a link allows keeps about 140 MB: it must fit
ACTIVATION_COPIES = 6
WEIGHT_COPIES = 20
OVERHEAD = 200_000              # a trainer's Python objects, whatever its size
MB = 1e6


def trainer_bytes(config: Config, points: int | None = None, itemsize: int = 4) -> int:
    """What a Trainer of `config` on `points` points (default: the config's n_samples) keeps, in bytes."""
    m = config.n_samples if points is None else points
    sizes = config.layer_sizes
    widths, P = sum(sizes[1:]), config.n_weights
    snapshot = P * itemsize * (3 if config.optimizer == "adam" else 2)
    step_back = min(CHECKPOINT_BYTES, MAX_CHECKPOINTS * snapshot) if snapshot else 0
    data = m * (2 * 8 + 8 + itemsize * (sizes[0] + sizes[-1]))
    history = HISTORY_CAPACITY * (7 + 4 * (len(sizes) - 1)) * 4
    return (ACTIVATION_COPIES * itemsize * m * widths + WEIGHT_COPIES * itemsize * P + step_back + data
            + history + OVERHEAD)


def over_budget(wanted: int, held: int, what: str, fewer: str) -> str | None:
    """A sentence when `wanted` more bytes on top of the `held` ones would pass SESSION_BUDGET, else None.
    `what` names the choice ("ten schemes of 40 layers × 79 units"), `fewer` what to lower."""
    if held + wanted <= SESSION_BUDGET:
        return None
    room = max(SESSION_BUDGET - held, 0)
    return (f"{what} would hold about {wanted / MB:,.0f} MB in this tab, and the other pages hold "
            f"{held / MB:,.0f} MB: over one tab's share of the server ({SESSION_BUDGET / MB:,.0f} MB). "
            f"{fewer} (about {room / MB:,.0f} MB are free)")


def most_that_fit(per_item: int, held: int) -> int:
    """How many items of `per_item` bytes fit beside the `held` ones."""
    return max(0, (SESSION_BUDGET - held) // max(per_item, 1))


def held_bytes(trainers: Iterable) -> int:
    """The estimate of every trainer given (each by its config, points and number type)."""
    return sum(trainer_bytes(t.config, len(t.data.X_train) + len(t.data.X_test), t.net.dtype.itemsize)
               for t in trainers)
