"""A bounded record of a run: fixed memory however long it trains.

Each column is preallocated for `capacity` rows. When the buffer is full, every other row is dropped
and from then on only every other record is kept (the stride doubles), so the history always spans
the whole run at evenly spaced steps — a loss curve keeps its beginning — and never grows.
"""
from __future__ import annotations

import numpy as np


class History:
    def __init__(self, columns: dict[str, tuple], capacity: int = 1024):
        """columns: name -> shape of one record, e.g. {"loss": (), "grad_norm": (L,)} (stored float32)."""
        if capacity < 2 or capacity % 2:
            raise ValueError("capacity must be an even number of at least 2")
        self.capacity = capacity
        self._data = {name: np.zeros((capacity, *shape), np.float32) for name, shape in columns.items()}
        self._size = 0
        self._stride = 1
        self._offered = 0

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in self._data.values())

    def append(self, **record) -> None:
        """Offer one record (every column); it is kept if it falls on the current stride."""
        offered, self._offered = self._offered, self._offered + 1
        if offered % self._stride:
            return
        if self._size == self.capacity:
            for column in self._data.values():
                column[: self.capacity // 2] = column[::2]
            self._size = self.capacity // 2
            self._stride *= 2
            if offered % self._stride:
                return
        for name, column in self._data.items():
            column[self._size] = record[name]
        self._size += 1

    def column(self, name: str) -> np.ndarray:
        """The kept rows of one column, oldest first: shape (len(self), *record shape). A view."""
        return self._data[name][: self._size]

    def last(self, name: str):
        return self._data[name][self._size - 1] if self._size else None

    def drop_after(self, step: float) -> None:
        """Forget records whose 'step' is beyond `step` (after stepping back to an earlier state)."""
        keep = int(np.searchsorted(self.column("step"), step, side="right"))
        self._size = keep
