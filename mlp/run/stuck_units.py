"""Dead and saturated hidden units, and the alarm when a layer's units stay that way.

A ReLU unit whose pre-activation is negative on every training point outputs 0 everywhere and gets
no gradient (relu' = 0 there): it is dead, and nothing in plain gradient descent brings it back.
A sigmoid or tanh unit whose slope is under 1% of its peak on most training points is saturated: it
passes back almost nothing. Both are read on the whole training set at the current weights (not on
a minibatch, where a unit may just happen to be off).

A `StuckWatch` follows one run: it remembers since which step each unit has been stuck, and raises
an `Alarm` for a layer when at least ALARM_SHARE of its units have stayed stuck for STRETCH_STEPS
steps or more, so one unlucky step does not set it off.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Which activations can get stuck, and how it is called. Leaky ReLU, ELU and linear always pass some
# gradient back through a unit (ELU's slope e^z fades only gradually), so they are not watched.
STUCK_KIND = {"relu": "dead", "sigmoid": "saturated", "tanh": "saturated"}
SLOPE_SHARE = 0.01          # saturated: phi'(z) under 1% of phi's peak slope ...
MOST_POINTS = 0.5           # ... on more than half of the training points
ALARM_SHARE = 0.5           # a layer alarms when at least half of its units are stuck ...
STRETCH_STEPS = 10          # ... and have stayed stuck for this many steps


def stuck_units(net, X: np.ndarray) -> list[np.ndarray] | None:
    """One bool array (n_l,) per hidden layer: which units are dead (ReLU: z <= 0 on every row of X)
    or saturated (sigmoid, tanh: phi'(z) < SLOPE_SHARE · peak on more than MOST_POINTS of the rows).

    X (m, n0) in the net's dtype, usually the training set. None for activations that cannot get
    stuck (STUCK_KIND). A forward pass in the net's own buffers for m rows (it becomes net.last_pass),
    no weights or random state touched.
    """
    act = net.activation
    kind = STUCK_KIND.get(act.name)
    if kind is None or net.n_layers < 2:
        return None
    with np.errstate(all="ignore"):
        net.forward_unchecked(X, False)
        ws = net.last_pass
        masks = []
        for z, a in zip(ws.z[:-1], ws.a[:-1]):
            if kind == "dead":
                masks.append(~np.any(z > 0, axis=0))
            else:
                slope = act.derivative(z, a, np.empty_like(z))
                flat = slope < SLOPE_SHARE * act.peak_derivative
                masks.append(np.mean(flat, axis=0) > MOST_POINTS)
    return masks


@dataclass(frozen=True)
class Alarm:
    layer: int              # 1-based hidden layer
    kind: str               # "dead" or "saturated"
    n_stuck: int
    n_units: int
    since: int              # the step from which every one of them has been stuck (at the latest)
    from_start: bool        # stuck since the first step the watch saw, step 0: the initial weights did it

    @property
    def share(self) -> float:
        return self.n_stuck / self.n_units


class StuckWatch:
    """Since which step each hidden unit has been stuck, over the steps it is shown (`observe`)."""

    def __init__(self):
        self._since: list[np.ndarray] | None = None     # per layer: the step since when, -1 = not stuck
        self._step: int | None = None
        self._kind: str | None = None

    def observe(self, step: int, masks: list[np.ndarray] | None, kind: str | None) -> list[np.ndarray] | None:
        """The stuck units at `step` (stuck_units of the net then); returns what is flagged now (flagged()).
        A step back, another shape or activation forgets what was seen."""
        if masks is None:
            self._since, self._step, self._kind = None, step, kind
            return None
        shapes = [m.shape for m in masks]
        if (self._since is None or self._step is None or step < self._step or kind != self._kind
                or shapes != [s.shape for s in self._since]):
            self._since = [np.full(m.shape, -1, np.int64) for m in masks]
        self._since = [np.where(m, np.where(s >= 0, s, step), -1) for m, s in zip(masks, self._since)]
        self._step, self._kind = step, kind
        return self.flagged()

    def flagged(self, stretch: int = STRETCH_STEPS) -> list[np.ndarray] | None:
        """Per hidden layer, the units stuck for at least `stretch` steps by the last observed step."""
        if self._since is None:
            return None
        return [(s >= 0) & (self._step - s >= stretch) for s in self._since]

    def alarms(self, stretch: int = STRETCH_STEPS, share: float = ALARM_SHARE) -> list[Alarm]:
        """A layer at a time: at least `share` of its units stuck for at least `stretch` steps."""
        flagged = self.flagged(stretch)
        if flagged is None:
            return []
        out = []
        for l, (f, s) in enumerate(zip(flagged, self._since)):
            n = int(f.sum())
            if n and n >= share * f.size:
                since = int(s[f].max())
                out.append(Alarm(l + 1, STUCK_KIND[self._kind], n, int(f.size), since, since == 0))
        return out
