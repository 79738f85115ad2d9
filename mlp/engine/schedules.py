"""Learning-rate schedules: the learning rate to use at step t (0-based), from the base rate.

`period` is in steps; `factor` is how far the rate falls (step/exponential decay) or the low end of
the cycle (cosine, cyclic) as a fraction of the base rate.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    rate: Callable[[float, int, int, float], float]     # (base lr, t, period, factor) -> lr at step t
    help: str


def _constant(lr, t, period, factor):
    return lr


def _step_decay(lr, t, period, factor):
    return lr * factor ** (t // period)


def _exponential(lr, t, period, factor):
    return lr * factor ** (t / period)


def _cosine(lr, t, period, factor):
    # from lr down to factor·lr over one period, then restart (SGDR's warm restarts)
    phase = (t % period) / period
    low = factor * lr
    return low + 0.5 * (lr - low) * (1.0 + math.cos(math.pi * phase))


def _cyclic(lr, t, period, factor):
    # triangle: factor·lr up to lr and back down, once per period
    phase = (t % period) / period
    low = factor * lr
    return low + (lr - low) * (1.0 - abs(2.0 * phase - 1.0))


SCHEDULES: dict[str, Schedule] = {s.name: s for s in [
    Schedule("constant", "Constant", _constant, "The same learning rate at every step."),
    Schedule("step", "Step decay", _step_decay, "Multiply the rate by the factor every period steps."),
    Schedule("exponential", "Exponential decay", _exponential,
             "Shrink the rate smoothly: by the factor over each period."),
    Schedule("cosine", "Cosine", _cosine,
             "Glide from the rate down to factor × rate along a half cosine, then restart, each period."),
    Schedule("cyclic", "Cyclic (triangle)", _cyclic,
             "Climb from factor × rate up to the rate and back down, once per period."),
]}
