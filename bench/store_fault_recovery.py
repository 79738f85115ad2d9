"""How long the class wall takes to notice a store fault and to recover from it (issue 21's table).

Each fault is made for real (mlp/harness/store_faults.py's helpers), with a class, a queue and one student
posting a snapshot every 0.2 s, as a playing page would:
  detect   from the fault to the student's post being marked "not on the wall" (queue.problem)
  recover  from the fault's end to a snapshot made after it being on the wall (read back)

    python bench/store_fault_recovery.py                    # SQLite faults
    MLP_TEST_POSTGRES=$(.ci/postgres) python bench/store_fault_recovery.py     # and PostgreSQL's
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlp.classroom.wall_posts import PostQueue  # noqa: E402
from mlp.classroom.store import Store, new_student_id  # noqa: E402
from mlp.harness.store_faults import data_dir, pg_frozen, pg_start, pg_stop, sqlite_locked  # noqa: E402


class Student:
    """A playing page: a post every 0.2 s, each with a growing step."""

    def __init__(self, store: Store, class_id: str):
        self.queue, self.class_id, self.id = PostQueue(store), class_id, new_student_id()
        self.step, self._stop = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            self.step += 1
            self.queue.put(self.class_id, self.id, "Ana", {"step": self.step})
            time.sleep(0.2)

    def stop(self):
        self._stop.set()


def measure(store: Store, fault) -> tuple[float, float]:
    class_id, key = store.create_class("Bench")
    student = Student(store, class_id)
    time.sleep(1.0)
    try:
        with fault() as ended:
            start = time.monotonic()
            while student.queue.problem(class_id, student.id) is None:
                time.sleep(0.05)
                if time.monotonic() - start > 30:
                    break
            detect = time.monotonic() - start
            time.sleep(1.0)
        step_at_end = student.step
        start = ended() if callable(ended) else time.monotonic()
        while True:
            with contextlib.suppress(Exception):
                cards = store.wall(class_id, key)
                if cards and cards[0].snapshot["step"] > step_at_end:
                    break
            time.sleep(0.05)
            if time.monotonic() - start > 60:
                break
        return detect, time.monotonic() - start
    finally:
        student.stop()


def main() -> None:
    rows = []
    folder = Path(tempfile.mkdtemp(prefix="mlp-store-faults-"))
    path = folder / "classes.sqlite"
    store = Store(f"sqlite:///{path}")
    rows.append(("SQLite locked by another process", *measure(store, lambda: _wrap(sqlite_locked(path)))))

    @contextlib.contextmanager
    def deleted():
        for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            f.unlink(missing_ok=True)
        yield None
    class_id, key = store.create_class("Deleted")
    store.post(class_id, "student-0001", "Ana", {"step": 1})
    start = time.monotonic()
    with deleted():
        pass
    kept = [c.name for c in store.wall(class_id, key)] == ["Ana"]
    rows.append(("SQLite file deleted (put back; cards kept: %s)" % kept, 0.0, time.monotonic() - start))

    url = os.environ.get("MLP_TEST_POSTGRES")
    if url:
        pg = Store(url)
        pgdir = data_dir(url)

        @contextlib.contextmanager
        def stopped():
            opts = pg_stop(pgdir)
            box = {}
            try:
                yield lambda: box["t"]
            finally:
                pg_start(pgdir, opts)
                box["t"] = time.monotonic()
        rows.append(("PostgreSQL stopped, then started", *measure(pg, stopped)))
        rows.append(("PostgreSQL frozen (SIGSTOP), then resumed", *measure(pg, lambda: _wrap(pg_frozen(pgdir)))))
    print("| fault | detected after | back after the fault ends |")
    print("| --- | --- | --- |")
    for name, detect, recover in rows:
        print(f"| {name} | {detect:.1f} s | {recover:.1f} s |")


@contextlib.contextmanager
def _wrap(cm):
    with cm:
        yield None


if __name__ == "__main__":
    main()
