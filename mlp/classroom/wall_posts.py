"""Students' posts to the class wall, written in batches: every post a server process has queued in
the last FLUSH_EVERY_S goes to the store in one transaction, from a thread of its own, instead of a
transaction per post on each student's script thread. With thirty students posting every second, that
is a few transactions a second instead of thirty, and the students' reruns do not wait for the database.

A student has at most one post waiting: a newer one replaces it (a checkpoint it carried goes on with
the newer one, unless that one brings its own). `flush` writes what waits at once, on the caller's
thread; writes never overlap, so a card never goes back to an older snapshot. No Streamlit here.
"""
from __future__ import annotations

import json
import threading
import time

from mlp.classroom.store import KEEP, MAX_SNAPSHOT_CHARS, ClassInfo, Store, StoreError

FLUSH_EVERY_S = 0.25
UNKNOWN = object()          # known(): no flush has seen this class yet


class PostQueue:
    def __init__(self, store: Store, every: float = FLUSH_EVERY_S):
        self.store, self.every = store, every
        self._pending: dict[tuple[str, str], dict] = {}
        self._classes: dict[str, ClassInfo | None] = {}
        self._problems: dict[tuple[str, str], str] = {}
        self._lock = threading.Condition()       # guards the three dicts above
        self._writing = threading.Lock()          # one write at a time, in the order of their batches
        self._thread: threading.Thread | None = None

    def put(self, class_id: str, student_id: str, name: str, snapshot: dict, weights=KEEP) -> None:
        """Queue a student's latest snapshot (and checkpoint, or KEEP the last one sent). A snapshot the
        store would refuse raises here, on its student's thread, not in a write it would spoil for all."""
        text = json.dumps(snapshot, allow_nan=False)          # raises ValueError on NaN
        if len(text) > MAX_SNAPSHOT_CHARS:
            raise StoreError(f"a snapshot is at most {MAX_SNAPSHOT_CHARS} characters, got {len(text)}")
        with self._lock:
            old = self._pending.get((class_id, student_id))
            if weights is KEEP and old is not None:
                weights = old["weights"]
            self._pending[(class_id, student_id)] = dict(class_id=class_id, student_id=student_id, name=name,
                                                         snapshot=snapshot, weights=weights, updated=time.time())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="class-wall-posts", daemon=True)
                self._thread.start()
            self._lock.notify()

    def known(self, class_id: str):
        """The class as the last write found it (None: gone), or UNKNOWN before any."""
        with self._lock:
            return self._classes.get(class_id, UNKNOWN)

    def problem(self, class_id: str, student_id: str) -> str | None:
        """Why this student's last write failed, or None when it went through."""
        with self._lock:
            return self._problems.get((class_id, student_id))

    def flush(self) -> None:
        """Write every waiting post now (after any write under way)."""
        with self._writing:
            with self._lock:
                batch, self._pending = list(self._pending.values()), {}
            if not batch:
                return
            keys = [(p["class_id"], p["student_id"]) for p in batch]
            try:
                found = self.store.post_many(batch)
            except Exception as err:    # the wall is an extra: the next post tries again
                why = f"{type(err).__name__}: {str(err)[:200]}"
                with self._lock:
                    self._problems.update(dict.fromkeys(keys, why))
                return
            with self._lock:
                self._classes.update(found)
                for key in keys:
                    self._problems.pop(key, None)

    def leave(self, class_id: str, student_id: str) -> None:
        """Drop the student's waiting post and their card (no write under way can bring it back)."""
        with self._writing:
            with self._lock:
                self._pending.pop((class_id, student_id), None)
                self._problems.pop((class_id, student_id), None)
            self.store.leave(class_id, student_id)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._pending:
                    self._lock.wait()
            time.sleep(self.every)        # let the other students' posts of this moment join the batch
            self.flush()


_queues: dict[int, PostQueue] = {}
_queues_lock = threading.Lock()


def post_queue(store: Store) -> PostQueue:
    """The process's queue for `store` (one writer thread per store)."""
    with _queues_lock:
        if id(store) not in _queues:
            _queues[id(store)] = PostQueue(store)
        return _queues[id(store)]
