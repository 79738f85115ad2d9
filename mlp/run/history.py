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

    # -- saving and loading (mlp/run/checkpoint.py) --------------------------------------------------
    @property
    def shapes(self) -> dict[str, tuple]:
        """name -> shape of one record, as given to the constructor."""
        return {name: column.shape[1:] for name, column in self._data.items()}

    def state(self) -> tuple[dict[str, np.ndarray], dict[str, int]]:
        """(the kept rows of every column, copies; the counters that decide which records come next)."""
        return ({name: self.column(name).copy() for name in self._data},
                {"stride": self._stride, "offered": self._offered})

    def restore(self, columns: dict[str, np.ndarray], counters: dict[str, int]) -> None:
        """Take back a `state()`: every column with the same number of rows, at most `capacity`.

        ValueError with a sentence when something does not fit this history.
        """
        if set(columns) != set(self._data):
            raise ValueError(f"the history columns are {sorted(columns)}, expected {sorted(self._data)}")
        sizes = {len(np.asarray(c)) for c in columns.values()}
        size = sizes.pop() if len(sizes) == 1 else -1
        if not 0 <= size <= self.capacity:
            raise ValueError("the history columns have different lengths or too many rows")
        for name, column in columns.items():
            column = np.asarray(column)
            if column.shape[1:] != self._data[name].shape[1:]:
                raise ValueError(f"the history column {name!r} has shape {column.shape}, "
                                 f"expected (n, {', '.join(map(str, self._data[name].shape[1:]))})")
        stride, offered = counters.get("stride"), counters.get("offered")
        if not (isinstance(stride, int) and stride >= 1 and stride & (stride - 1) == 0
                and isinstance(offered, int) and offered >= size):
            raise ValueError("the history's counters are not valid")
        for name, column in columns.items():
            self._data[name][:size] = column
        self._size, self._stride, self._offered = size, stride, offered
