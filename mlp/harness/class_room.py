"""A class under a bench's load, as protocol clients: students who join by the join link, and the
teacher's wall, timed card by card (bench/class_wall.py, bench/workshop.py --lesson).

    class_id, key = new_class(lesson="first-neural-network")     # in MLP_STORE, as the server reads it
    students = class_students(url, class_id, 30)                  # each opens the join link with a name
    wall = Wall(url, class_id, key); await wall.client.open()
    wall.counting = True; ...; wall.counting = False; wall.figures(seconds)

How far behind the wall is: each card carries the time its snapshot was taken (data-time); the wall
notes when each new card arrives. `lag` is a card's age on arrival; `stale` how old a student's card
is when the next one of that student replaces it, the most the wall is ever behind for that student;
`gap` the time between two snapshots of a student that the wall showed (a student's page posts about
once a second: a gap much over it is a page rerunning less often, not the wall).
"""
from __future__ import annotations

import re
import time
from urllib.parse import urlencode

from mlp.ui.protocol_client import Student

# (the alt text is html.escape'd: its apostrophe arrives as &#x27;)
CARD = re.compile(rb'data-time="(\d+\.\d+)"><img alt="([^"]*)(?:\'|&#x27;)s output"')


def new_class(title: str = "Bench", lesson: str | None = None) -> tuple[str, str]:
    """(class id, teacher key) of a fresh class in the store MLP_STORE names, running `lesson` (a
    built-in lesson's name) from its first step when given."""
    from mlp.classroom import lesson_runs
    from mlp.classroom.store import open_store
    ids = open_store().create_class(title)
    if lesson:
        lesson_runs.start(open_store(), *ids, lesson)
    return ids


def class_students(url: str, class_id: str, n: int, names: list[str] | None = None) -> list[Student]:
    """n students on the class's join link, each with a name ("Student 01", ... unless `names` gives them;
    the Class page joins and switches to the Playground, whose Play they then press)."""
    names = names or [f"Student {i + 1:02d}" for i in range(n)]
    return [Student(url, page="Class", query=urlencode({"join": class_id, "name": name})) for name in names[:n]]


def _q(values: list[float], q: float) -> float:
    return values[round(q * (len(values) - 1))] if values else float("nan")


class Wall:
    """The teacher's wall as a protocol client: the arrival time minus the snapshot time of each card."""

    def __init__(self, url: str, class_id: str, key: str):
        self.client = Student(url, page="Class", query=urlencode({"class": class_id, "key": key}))
        self.client.on_message = self._message
        self.lags: list[float] = []          # a card's age when it arrives
        self.stale: list[float] = []         # a card's age when the next one of that student replaces it
        self.gaps: list[float] = []          # snapshot time of a student's card minus that of their last one
        self.last: dict[bytes, float] = {}   # student -> snapshot time of the card on the wall
        self.counting = False

    def _message(self, raw: bytes) -> None:
        now = time.time()
        for t, name in CARD.findall(raw):
            t = float(t)
            if t == self.last.get(name):
                continue                     # the same card again
            if self.counting:
                self.lags.append(now - t)
                if name in self.last:
                    self.stale.append(now - self.last[name])
                    self.gaps.append(t - self.last[name])
            self.last[name] = t

    def figures(self, seconds: float) -> dict:
        """New cards a second, a card's median age on arrival, and p95 of the post gap and of how far
        behind (p95 and max) over the `seconds` counted."""
        lags, stale, gaps = sorted(self.lags), sorted(self.stale), sorted(self.gaps)
        return {"cards": len(lags) / seconds, "lag_median": _q(lags, 0.5), "lag_p95": _q(lags, 0.95),
                "gap_p95": _q(gaps, 0.95), "stale_median": _q(stale, 0.5), "stale_p95": _q(stale, 0.95),
                "stale_max": _q(stale, 1.0)}
