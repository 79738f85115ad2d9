"""How the class wall's store meets a failing database, so no page waits on it or shows its errors.

Every call the store makes goes through a Guard:
  - it runs on a thread of its own and is waited for at most DEADLINE_S: a frozen PostgreSQL
    (a stopped process answers nothing, so its own statement_timeout never fires) costs a page
    DEADLINE_S once, not forever;
  - a database error, or no answer in time, marks the store down: for the next RETRY_S every call
    fails at once, then one call (the probe) tries again; the first that works marks it up. So the
    store recovers by itself within about RETRY_S of the database coming back, and while it is down
    the pages pay nothing;
  - what the caller gets is StoreDown, whose text is a plain sentence for a page (no host, no SQL,
    no driver's words); the driver's own message goes to the server's log, once per outage.
No Streamlit here.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, TimeoutError as FutureTimeout

import sqlalchemy as sa

DEADLINE_S = 4.0            # a call waits at most this long (PostgreSQL's connect and statement timeouts are 3 s)
RETRY_S = 2.0               # while down, one call tries again this often
STUCK_S = 30.0              # a probe that has not come back in this long no longer holds the next one back
log = logging.getLogger("mlp.classroom.store")

# what a driver's message means, in a teacher's words: (words in the message, lower case) -> reason
REASONS = (
    (("readonly", "read-only", "read only"), "its file is read-only"),
    (("database is locked", "database table is locked", "busy"), "another program holds its file locked"),
    (("unable to open database", "cannot create the store's folder", "no such file", "not a directory",
      "permission denied"), "its file or folder cannot be opened"),
    (("disk i/o", "disk is full", "database or disk is full"), "its disk failed or is full"),
    (("malformed", "not a database", "file is not a database"), "its file is damaged"),
    (("timeout", "timed out", "canceling statement", "does not answer"), "the database does not answer"),
    (("connection refused", "could not connect", "connection failed", "server closed", "terminating connection",
      "connection is closed", "the database system is", "could not translate host", "name or service",
      "no route", "consuming input failed", "ssl"), "the database server cannot be reached"),
)


class StoreDown(Exception):
    """The database cannot be used just now. str(): a plain sentence a page can show (no host, no SQL);
    .reason: the short part of it; .detail: the driver's words, for the server's log only."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"the class wall is unreachable just now ({reason})")
        self.reason, self.detail = reason, detail

    def again(self) -> "StoreDown":
        """A fresh copy to raise (one object raised again and again would grow its traceback each time)."""
        return StoreDown(self.reason, self.detail)


def plain_reason(err: BaseException) -> str:
    """A teacher's words for a database error (never its text: that may name the host or hold SQL)."""
    if isinstance(err, (FutureTimeout, TimeoutError)):
        return "the database does not answer"
    text = str(getattr(err, "orig", None) or err).lower()
    for words, reason in REASONS:
        if any(w in text for w in words):
            return reason
    return "the database failed"


def first_line(err: BaseException) -> str:
    return (str(getattr(err, "orig", None) or err).splitlines() or [type(err).__name__])[0][:300]


class Guard:
    """Runs a store's calls with a deadline and a breaker (see the module's docstring)."""

    def __init__(self, name: str, on_failure=None, deadline: float = DEADLINE_S, retry: float = RETRY_S):
        self.name, self.on_failure, self.deadline, self.retry = name, on_failure, deadline, retry
        self.down: StoreDown | None = None
        self.down_since = 0.0
        self._retry_at = 0.0
        self._probe_started: float | None = None
        self._lock = threading.Lock()
        self._inside = threading.local()        # a guarded call made from inside another runs directly

    def retry_in(self) -> float:
        """Seconds until a call will try the database again (0 when it is up)."""
        with self._lock:
            return max(0.0, self._retry_at - time.monotonic()) if self.down else 0.0

    def call(self, fn, *args, **kwargs):
        if getattr(self._inside, "active", False):
            return fn(*args, **kwargs)
        now = time.monotonic()
        with self._lock:
            if self.down is not None:
                stuck = self._probe_started is not None and now - self._probe_started < STUCK_S
                if now < self._retry_at or stuck:
                    raise self.down.again()
                self._probe_started = now               # this call is the probe; the others keep failing fast
        future = self._start(fn, args, kwargs)
        try:
            result = future.result(timeout=self.deadline)
        except FutureTimeout:
            future.add_done_callback(self._probe_done)   # it may still come back: only then may another probe go
            self._fail(StoreDown("the database does not answer", f"no answer in {self.deadline:g} s"))
        except StoreDown as err:
            self._probe_done()
            self._fail(err)
        except (sa.exc.SQLAlchemyError, OSError) as err:
            self._probe_done()
            self._fail(StoreDown(plain_reason(err), f"{type(err).__name__}: {first_line(err)}"))
        except BaseException:
            self._probe_done()                           # input the store refused (StoreError): the store is fine
            self._up()
            raise
        self._probe_done()
        self._up()
        return result

    def _start(self, fn, args, kwargs) -> Future:
        """`fn` on a daemon thread of its own (a pool's threads are joined at exit: one stuck on a frozen
        server would hold the app's shutdown; a few per second cost about 0.1 ms each)."""
        future = Future()

        def work():
            if not future.set_running_or_notify_cancel():
                return
            self._inside.active = True
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as err:
                future.set_exception(err)
        threading.Thread(target=work, name="class-wall-store", daemon=True).start()
        return future

    def _probe_done(self, _future=None) -> None:
        with self._lock:
            self._probe_started = None

    def _fail(self, err: StoreDown):
        with self._lock:
            was_down = self.down is not None
            self.down, self._retry_at = err, time.monotonic() + self.retry
            if not was_down:
                self.down_since = time.time()
        if not was_down:
            log.warning("class wall store %s is down: %s (%s); retrying every %g s", self.name, err.reason,
                        err.detail, self.retry)
        if self.on_failure is not None:
            try:
                self.on_failure()
            except Exception as cleanup:             # a pool that cannot even be dropped: the next probe says so
                log.warning("class wall store %s: dropping its connections failed: %s", self.name, cleanup)
        raise err

    def _up(self) -> None:
        with self._lock:
            was_down, self.down = self.down, None
        if was_down is not None:
            log.warning("class wall store %s is back after %.1f s", self.name, time.time() - self.down_since)
