"""Students' posts to the class wall, written in batches: every post a server process has queued in
the last FLUSH_EVERY_S goes to the store in one transaction, from a thread of its own, instead of a
transaction per post on each student's script thread. With thirty students posting every second, that
is a few transactions a second instead of thirty, and the students' reruns do not wait for the database.

A student has at most one post waiting: a newer one replaces it (a checkpoint it carried goes on with
the newer one, unless that one brings its own). While the store is down (mlp/classroom/store/guard.py) the
waiting posts stay queued, one per student, the latest, and are sent when it is back: nothing a
student did is lost that the store could keep. A leave waits the same way. `flush_soon` asks the
writer to write now and waits for it at most a moment, so a page never waits on the database; writes
never overlap, so a card never goes back to an older snapshot. No Streamlit here.
"""
from __future__ import annotations

import json
import logging
import threading
import time

from mlp.classroom.store import KEEP, MAX_SNAPSHOT_CHARS, ClassInfo, Store, StoreError
from mlp.classroom.store.guard import RETRY_S, StoreDown

FLUSH_EVERY_S = 0.25
PAGE_WAIT_S = 0.5           # flush_soon: how long a page waits for its post, at most
UNKNOWN = object()          # known(): no flush has seen this class yet
log = logging.getLogger("mlp.classroom.store")


class PostQueue:
    def __init__(self, store: Store, every: float = FLUSH_EVERY_S):
        self.store, self.every = store, every
        self._pending: dict[tuple[str, str], dict] = {}
        self._leaving: set[tuple[str, str]] = set()
        self._classes: dict[str, ClassInfo | None] = {}
        self._problems: dict[tuple[str, str], str] = {}
        self._refused: dict[tuple[str, str], str] = {}
        self._confirmed: set[tuple[str, str]] = set()   # students with a card the store has taken
        self._urgent = False
        self._written = 0                        # how many flushes have ended (flush_soon waits for the next)
        self._lock = threading.Condition()       # guards everything above
        self._writing = threading.Lock()          # one write at a time, in the order of their batches
        self._thread: threading.Thread | None = None

    def put(self, class_id: str, student_id: str, name: str, snapshot: dict, weights=KEEP) -> None:
        """Queue a student's latest snapshot (and checkpoint, or KEEP the last one sent). A snapshot the
        store would refuse raises here, on its student's thread, not in a write it would spoil for all."""
        text = json.dumps(snapshot, allow_nan=False)          # raises ValueError on NaN
        if len(text) > MAX_SNAPSHOT_CHARS:
            raise StoreError(f"a snapshot is at most {MAX_SNAPSHOT_CHARS} characters, got {len(text)}")
        with self._lock:
            self._leaving.discard((class_id, student_id))
            self._queue(dict(class_id=class_id, student_id=student_id, name=name, snapshot=snapshot,
                             weights=weights, updated=time.time()))
            self._wake()

    def _queue(self, post: dict) -> None:
        """Under the lock: `post` waits, replacing an older one of its student (keeping that one's weights
        when it brings none)."""
        key = (post["class_id"], post["student_id"])
        old = self._pending.get(key)
        if old is not None and post["weights"] is KEEP:
            post = {**post, "weights": old["weights"]}
        self._pending[key] = post

    def _wake(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="class-wall-posts", daemon=True)
            self._thread.start()
        self._lock.notify_all()

    def known(self, class_id: str):
        """The class as the last write found it (None: gone), or UNKNOWN before any."""
        with self._lock:
            return self._classes.get(class_id, UNKNOWN)

    def problem(self, class_id: str, student_id: str) -> str | None:
        """Why this student's post has not reached the wall yet (a plain sentence), or None when it did."""
        with self._lock:
            return self._problems.get((class_id, student_id))

    def refused(self, class_id: str, student_id: str) -> str | None:
        """Why the store refused this student's card for good (removed by the teacher, a full class)."""
        with self._lock:
            return self._refused.get((class_id, student_id))

    def confirmed(self, class_id: str, student_id: str) -> bool:
        """Has a write of this student's gone through (their card is on the wall)?"""
        with self._lock:
            return (class_id, student_id) in self._confirmed

    def confirm(self, class_id: str, student_id: str) -> None:
        """The card is known to be on the wall (a reloaded page found it there)."""
        with self._lock:
            self._confirmed.add((class_id, student_id))

    def flush_soon(self, wait: float = PAGE_WAIT_S) -> bool:
        """Ask the writer to write what waits now, and wait for it at most `wait` seconds (a page's
        post shows on the wall before the page is drawn when the store is quick; when it is not, the
        page goes on and the writer keeps at it). True when a write ended in time."""
        deadline = time.monotonic() + wait
        with self._lock:
            target = self._written + (2 if self._writing.locked() else 1)     # a write under way may predate the post
            self._urgent = True
            self._wake()
            while self._written < target:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return True

    def flush(self) -> None:
        """Write every waiting post (and leave) now, on the caller's thread (after any write under way)."""
        with self._writing:
            try:
                self._write()
            finally:
                with self._lock:
                    self._written += 1
                    self._lock.notify_all()

    def _write(self) -> None:
        with self._lock:
            batch, self._pending = list(self._pending.values()), {}
            leaving, self._leaving = set(self._leaving), set()
        try:
            for class_id, student_id in leaving:
                self.store.leave(class_id, student_id)
                leaving = leaving - {(class_id, student_id)}
            found, refused = self.store.post_batch(batch) if batch else ({}, {})
        except Exception as err:    # the wall is an extra: what waits stays queued, and goes when it is back
            if not isinstance(err, StoreDown):
                log.exception("class wall: a batch of posts failed")
            why = str(err) if isinstance(err, StoreDown) else "the class wall could not take this snapshot"
            with self._lock:
                for post in batch:             # a newer post of the same student, queued meanwhile, wins
                    key = (post["class_id"], post["student_id"])
                    newer = self._pending.get(key)
                    if key in self._leaving:
                        continue
                    if newer is None:
                        self._pending[key] = post
                    elif newer["weights"] is KEEP:
                        newer["weights"] = post["weights"]
                    self._problems[key] = why
                self._leaving |= leaving
            return
        with self._lock:
            self._classes.update(found)
            self._refused.update(refused)
            for post in batch:
                key = (post["class_id"], post["student_id"])
                self._problems.pop(key, None)
                if key not in refused and found.get(key[0]) is not None:
                    self._confirmed.add(key)

    def leave(self, class_id: str, student_id: str) -> None:
        """Drop the student's waiting post and their card (no write under way can bring it back); the
        card goes at the next write, at once when the store is quick."""
        with self._lock:
            self._pending.pop((class_id, student_id), None)
            self._problems.pop((class_id, student_id), None)
            self._refused.pop((class_id, student_id), None)
            self._confirmed.discard((class_id, student_id))
            self._leaving.add((class_id, student_id))
        self.flush_soon()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not (self._pending or self._leaving or self._urgent):
                    self._lock.wait()
                urgent, self._urgent = self._urgent, False
            if not urgent:
                time.sleep(self.every)    # let the other students' posts of this moment join the batch
            wait = self.store.guard.retry_in()
            if wait > 0 and not urgent:
                time.sleep(min(wait, RETRY_S))     # the store is down: nothing would go before its next try
            self.flush()


_queues: dict[int, PostQueue] = {}
_queues_lock = threading.Lock()


def post_queue(store: Store) -> PostQueue:
    """The process's queue for `store` (one writer thread per store)."""
    with _queues_lock:
        if id(store) not in _queues:
            _queues[id(store)] = PostQueue(store)
        return _queues[id(store)]
