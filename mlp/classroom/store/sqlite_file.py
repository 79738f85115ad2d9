"""The class wall's SQLite file, watched under a running app: deleted (or replaced) while the server
runs, it is put back from a pooled connection that still holds the old file (sqlite3's backup API),
or, when none does, left to be made anew; either way the store says so (Store.incident). No Streamlit.

Several workers on one machine may see the deletion at once: each copies to a temporary file of its
own and links it into place (os.link fails when the path exists), so the first one wins and the
others open its file.
"""
from __future__ import annotations

import logging
import os
import secrets
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa

PUT_BACK = ("the class wall's database file was deleted while the app ran; it was put back from the running "
            "server's copy, with every class and card")
MADE_ANEW = ("the class wall's database file was deleted or replaced while the app ran; classes started before "
             "it may be gone")
log = logging.getLogger("mlp.classroom.store")

_writers: dict[str, threading.RLock] = {}
_writers_lock = threading.Lock()


def writer_lock(path: Path) -> threading.RLock:
    """The one lock this process's writers to `path` take turns on. SQLite's own busy handler polls
    (sleeping up to 100 ms between tries, first come not first served), so under a loaded CPU one of
    thirty threads writing at once could wait past its busy timeout and fail; waiting on a lock here,
    each is woken as soon as the one before it is done. Writers in other processes still meet at
    SQLite's lock (and its busy timeout)."""
    key = os.path.abspath(path)
    with _writers_lock:
        return _writers.setdefault(key, threading.RLock())


class WatchedFile:
    def __init__(self, path: Path):
        self.path = path
        self.inode: int | None = None         # the file the store's connections opened (None: not yet)

    def remember(self) -> None:
        self.inode = self.path.stat().st_ino

    def changed(self) -> bool:
        """Is the file at `path` gone, or another one than the store opened?"""
        if self.inode is None:
            return False
        try:
            return self.path.stat().st_ino != self.inode
        except FileNotFoundError:
            return True

    def recover(self, engine: sa.engine.Engine) -> str:
        """After changed(): put the old file back if it is gone and a connection still holds it; drop
        every pooled connection (they point at the old file); answer what happened, in plain words."""
        gone = not self.path.exists()
        restored = gone and self._put_back(engine)
        engine.dispose()
        self.inode = None
        if gone and not restored and not self.path.exists():
            for leftover in (Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):   # the old file's: stale
                leftover.unlink(missing_ok=True)
        what = PUT_BACK if restored else MADE_ANEW
        log.warning("class wall store %s: %s", self.path, what)
        return what

    def _put_back(self, engine: sa.engine.Engine) -> bool:
        pool = engine.pool
        if not hasattr(pool, "checkedin") or pool.checkedin() == 0:
            return False                        # no connection holds the old file: nothing to copy
        tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.restore")
        try:
            with engine.connect() as conn:
                target = sqlite3.connect(tmp)
                try:
                    conn.connection.dbapi_connection.backup(target)
                finally:
                    target.close()
            engine.dispose()                    # the old file's connections close (and take its WAL with them)
            os.link(tmp, self.path)             # atomic: another worker that put it back first wins
            return True
        except FileExistsError:
            return True
        except Exception as err:
            log.warning("class wall store %s: the deleted file could not be put back: %s", self.path,
                        str(err).splitlines()[0][:200] if str(err) else type(err).__name__)
            return False
        finally:
            tmp.unlink(missing_ok=True)
