"""The class wall's store: the only code that talks to the database (SQLAlchemy Core), with guard.py
(a failing database never blocks a page; it is retried) and sqlite_file.py (the SQLite file watched).

One setting chooses the database: MLP_STORE, a database URL. By default it is an SQLite file under
the data folder ($XDG_DATA_HOME/mlp or ~/.local/share/mlp), created on first use and opened in WAL
mode with a busy timeout, so `streamlit run app.py` and `python -m mlp.serve --workers K` on one
machine need nothing more: readers never wait for the writer, and thirty students posting at once
queue for a few milliseconds each instead of failing. Workers on several machines share a PostgreSQL
database instead (MLP_STORE=postgresql+psycopg://user@host/db).

Two tables:
  classes(id, title, teacher_key_hash, created, challenge)      challenge: JSON text or NULL
  students(class_id, student_id, name, snapshot, weights, updated)
                                                                 snapshot: JSON text; weights: a
                                                                 checkpoint (.npz bytes) or NULL
A class id and a teacher key are random tokens; only the key's SHA-256 is stored, compared in
constant time. A wrong key and a missing class look the same to the caller (None): a wrong key
learns nothing. Each student has one row, replaced by every post (an upsert); leaving deletes it.
Classes older than MLP_CLASS_MAX_AGE_HOURS (default 48) are erased by the store itself, at most
once a minute, when a class is created or a wall is read. A third table, members(class_id,
student_id, joined, removed), counts joins for the caps (MAX_CARDS, MAX_JOINS_PER_MIN) and remembers
a card the teacher removed, so that student's next post does not bring it back.

A lesson (issue 25) adds two tables. lessons(class_id, lesson_id, source, title, text, steps, step,
started): the lesson a class runs (its TOML text, so every worker reads the same lesson whatever file
it came from), its current step and when that step began; only the teacher's key moves it, and a move
names the step to go to (two clicks on Next from two tabs that saw the same step land on the same
step, not two further). goals(class_id, lesson_id, step, student_id, name, at_step, test_loss,
test_metric, time, weights): one row the first time a student meets a step's goal, with the run's
checkpoint then, so the wall keeps every step's results and opens a step's best run after the class
moved on. Starting another lesson gives it a new lesson_id: the last lesson's results stay readable
only through their id.

A failing database (refusing, stopped, frozen, locked, read-only, its file deleted, a bad MLP_STORE)
never raises its own errors here: every call goes through a Guard (mlp/classroom/store/guard.py) with a
deadline and a breaker, and fails with StoreDown, a plain sentence. Nothing is opened until the
first call, and the tables are made again after a failure, so a folder made writable later, or a
database started later, is picked up by itself. An SQLite file deleted while the app runs is put
back from the connection that still holds it (sqlite3's backup), or made anew when none does.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mlp.classroom.display_text import clean_text
from mlp.classroom.store.sqlite_file import WatchedFile, writer_lock
from mlp.classroom.store.guard import Guard, StoreDown, log

STORE_ENV = "MLP_STORE"
MAX_AGE_ENV = "MLP_CLASS_MAX_AGE_HOURS"
DEFAULT_MAX_AGE_H = 48.0
MAX_WEIGHT_BYTES = 256_000          # a student's checkpoint, at most (the default net's is about 20 KB)
MAX_SNAPSHOT_CHARS = 16_000         # a snapshot's JSON, at most (the default one is about 1.3 KB)
MAX_TITLE, MAX_NAME = 120, 40
EXPIRE_EVERY_S = 60.0
SQLITE_BUSY_MS = 2_000             # a write waits this long for another program's lock, then the breaker says so
PG_CONNECT_TIMEOUT_S = 3            # PostgreSQL: give up connecting after this long ...
PG_STATEMENT_TIMEOUT_MS = 3_000     # ... and a statement after this long (the guard's deadline covers a frozen server)
MAX_CARDS = 100                     # cards a class holds (1,000 cards took 11.6 s to draw)
MAX_JOINS_PER_MIN = 60              # new cards a class takes in a minute (a room of 30 joins in one)
KEEP = object()                 # Store.post: leave the stored weights as they are
TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")     # what a class id, student id or teacher key looks like

metadata = sa.MetaData()
classes = sa.Table(
    "classes", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("title", sa.String(MAX_TITLE), nullable=False),
    sa.Column("teacher_key_hash", sa.String(64), nullable=False),
    sa.Column("created", sa.Float, nullable=False, index=True),
    sa.Column("challenge", sa.Text, nullable=True),
)
students = sa.Table(
    "students", metadata,
    sa.Column("class_id", sa.String(64), sa.ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("student_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("snapshot", sa.Text, nullable=False),
    sa.Column("weights", sa.LargeBinary, nullable=True),
    sa.Column("updated", sa.Float, nullable=False),
)
members = sa.Table(
    "members", metadata,
    sa.Column("class_id", sa.String(64), primary_key=True),
    sa.Column("student_id", sa.String(64), primary_key=True),
    sa.Column("joined", sa.Float, nullable=False, index=True),
    sa.Column("removed", sa.Boolean, nullable=False, default=False),
)
lessons = sa.Table(
    "lessons", metadata,
    sa.Column("class_id", sa.String(64), primary_key=True),
    sa.Column("lesson_id", sa.String(64), nullable=False),
    sa.Column("source", sa.String(300), nullable=False),
    sa.Column("title", sa.String(MAX_TITLE), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("steps", sa.Integer, nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("started", sa.Float, nullable=False),
)
goals = sa.Table(
    "goals", metadata,
    sa.Column("class_id", sa.String(64), primary_key=True),
    sa.Column("lesson_id", sa.String(64), primary_key=True),
    sa.Column("step", sa.Integer, primary_key=True),
    sa.Column("student_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME), nullable=False),
    sa.Column("at_step", sa.Integer, nullable=False),         # the run's training step when it met the goal
    sa.Column("test_loss", sa.Float, nullable=True),
    sa.Column("test_metric", sa.Float, nullable=True),
    sa.Column("time", sa.Float, nullable=False),
    sa.Column("weights", sa.LargeBinary, nullable=True),
)
MAX_LESSON_CHARS = 256_000          # as a lesson file (mlp/classroom/lesson_files.py's MAX_FILE_BYTES)
REMOVED = "your teacher removed your card from the wall"
FULL = f"this class is full: its wall holds at most {MAX_CARDS} cards"
BUSY = f"{MAX_JOINS_PER_MIN} students joined this class in the last minute, the most it takes: try again in a minute"


class StoreError(ValueError):
    """Input the store refuses (a title too long, a snapshot too big); the message says which."""


@dataclass(frozen=True)
class LessonState:
    """The lesson a class runs, without its text (Store.lesson_text): which one, at which step since when."""
    lesson_id: str
    source: str               # the built-in lesson's name, or the file it was read from
    title: str
    steps: int
    step: int                 # the current step, from 0
    started: float            # time.time() when the current step began


@dataclass(frozen=True)
class ClassInfo:
    id: str
    title: str
    created: float
    challenge: dict | None
    lesson: LessonState | None = None


@dataclass(frozen=True)
class GoalResult:
    """A student who met a step's goal: when, with which numbers; `has_weights`: the run can be opened."""
    step: int
    student_id: str
    name: str
    at_step: int
    test_loss: float | None
    test_metric: float | None
    time: float
    has_weights: bool


@dataclass(frozen=True)
class Card:
    """One student's row on the wall."""
    student_id: str
    name: str
    snapshot: dict
    has_weights: bool
    updated: float


def default_url() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite:///{base / 'mlp' / 'classes.sqlite'}"


def store_url() -> str:
    return os.environ.get(STORE_ENV) or default_url()


def max_age_s() -> float:
    """MLP_CLASS_MAX_AGE_HOURS in seconds; anything but a positive finite number means the default."""
    try:
        hours = float(os.environ.get(MAX_AGE_ENV, ""))
    except ValueError:
        hours = DEFAULT_MAX_AGE_H
    return (hours if 0 < hours < float("inf") else DEFAULT_MAX_AGE_H) * 3600


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _token(value) -> str | None:
    """The value if it looks like one of our tokens, else None (so hostile ids never reach a query)."""
    return value if isinstance(value, str) and TOKEN.fullmatch(value) else None


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cur.execute("PRAGMA synchronous=NORMAL")      # WAL + NORMAL: durable across a process crash
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


CLASS_COLUMNS = (classes.c.id, classes.c.title, classes.c.created, classes.c.challenge, lessons.c.lesson_id,
                 lessons.c.source, lessons.c.title.label("lesson_title"), lessons.c.steps, lessons.c.step,
                 lessons.c.started)


def _class_select():
    """A class with its lesson's state (NULLs when it runs none): what a student's page rereads."""
    return sa.select(*CLASS_COLUMNS).select_from(classes.outerjoin(lessons, lessons.c.class_id == classes.c.id))


def _info(row) -> ClassInfo:
    lesson = None if row.lesson_id is None else LessonState(row.lesson_id, row.source, row.lesson_title, row.steps,
                                                            row.step, row.started)
    return ClassInfo(row.id, row.title, row.created, json.loads(row.challenge) if row.challenge else None, lesson)


def _guarded(method):
    """Run a Store method through the store's Guard (see mlp/classroom/store/guard.py)."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        return self.guard.call(self._prepared, method, self, *args, **kwargs)
    return run


class Store:
    def __init__(self, url: str):
        try:
            self.url = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            raise StoreError(f"{STORE_ENV} must be a database URL (sqlite:///path or "
                             f"postgresql+psycopg://user@host/db), got {url[:80]!r}") from None
        self.file: WatchedFile | None = None    # the SQLite file, watched for being deleted
        self._writer: threading.RLock | None = None   # this process's writers to that file take turns on it
        if self.url.get_backend_name() == "sqlite":
            if self.url.database and self.url.database != ":memory:" and not self.url.database.startswith("file:"):
                self.file = WatchedFile(Path(self.url.database).expanduser())
                self._writer = writer_lock(self.file.path)
            self.engine = sa.create_engine(self.url)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self._insert = sqlite.insert
        elif self.url.get_backend_name() == "postgresql":
            # timeouts unless the URL sets its own: a refusing or frozen server must not hold a page
            query = self.url.query
            connect_args = {} if "connect_timeout" in query else {"connect_timeout": PG_CONNECT_TIMEOUT_S}
            if "options" not in query:
                connect_args["options"] = f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS}"
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_timeout=PG_CONNECT_TIMEOUT_S,
                                           connect_args=connect_args)
            self._insert = postgresql.insert
        else:
            raise StoreError(f"{STORE_ENV} must be an sqlite:/// or postgresql+psycopg:// URL, got "
                             f"{self.url.get_backend_name()!r}")
        self.guard = Guard(self.url.render_as_string(hide_password=True), on_failure=self._forget_connections)
        self.incident: tuple[float, str] | None = None     # (when, what) the store last did by itself: a file put back
        self._made = False                  # the tables exist (made again after any failure)
        self._file_lock = threading.Lock()
        self._last_expiry = 0.0
        self._lock = threading.Lock()
        try:
            self.guard.call(self._prepared, lambda _self: None, self)
        except StoreDown:
            pass                # not there yet: the first call that needs it says so, and tries again

    # -- keeping the database usable ------------------------------------------------------------
    def _forget_connections(self) -> None:
        """After a failure: drop the pooled connections (one opened read-only, or to a stopped server,
        must not be reused) and make the tables again before the next call."""
        self._made = False
        self.engine.dispose()

    @contextlib.contextmanager
    def _writing(self):
        """A write transaction; for an SQLite file, taken in turn with this process's other writers
        (sqlite_file.writer_lock), waiting at most as long as SQLite's busy timeout would."""
        if self._writer is not None and not self._writer.acquire(timeout=SQLITE_BUSY_MS / 1000):
            raise StoreDown("too many writes at once", f"waited {SQLITE_BUSY_MS} ms for this process's other writers")
        try:
            with self.engine.begin() as conn:
                yield conn
        finally:
            if self._writer is not None:
                self._writer.release()

    def _prepared(self, method, *args, **kwargs):
        """Run `method` once the database is there: the SQLite file checked, the tables made."""
        if self.file is not None and self.file.changed():
            with self._file_lock:
                if self.file.changed():         # (not already seen to by another thread)
                    self.incident = (time.time(), self.file.recover(self.engine))
                    self._made = False
        if not self._made:
            if self.file is not None:
                try:
                    self.file.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreDown("its file or folder cannot be opened",
                                    f"cannot create the store's folder: {err.strerror or err}") from None
            metadata.create_all(self.engine)
            self._made = True
            if self.file is not None:
                self.file.remember()
        return method(*args, **kwargs)

    # -- classes ---------------------------------------------------------------------------------
    @_guarded
    def create_class(self, title: str, now: float | None = None) -> tuple[str, str]:
        """A new class: (class id, teacher key). The key is shown once and stored only hashed. The title
        is cleaned as a name is (mlp/classroom/display_text.py)."""
        title, why = clean_text(title, MAX_TITLE, "a class title")
        if title is None:
            raise StoreError(why)
        now = time.time() if now is None else now
        self.expire(now)
        class_id, key = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        with self._writing() as conn:
            conn.execute(classes.insert().values(id=class_id, title=title, teacher_key_hash=_hash(key),
                                                 created=now, challenge=None))
        return class_id, key

    @_guarded
    def class_info(self, class_id) -> ClassInfo | None:
        """The class's public part (title, challenge), for a student joining; None when there is none."""
        class_id = _token(class_id)
        if class_id is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(_class_select().where(classes.c.id == class_id)).first()
        return None if row is None else _info(row)

    @_guarded
    def is_teacher(self, class_id, key) -> bool:
        class_id, key = _token(class_id), _token(key)
        if class_id is None or key is None:
            return False
        with self.engine.connect() as conn:
            stored = conn.execute(sa.select(classes.c.teacher_key_hash).where(classes.c.id == class_id)).scalar()
        # a missing class is compared too, so both answers take the same time
        return hmac.compare_digest(stored or "0" * 64, _hash(key)) and stored is not None

    @_guarded
    def set_challenge(self, class_id, key, challenge: dict | None) -> bool:
        if not self.is_teacher(class_id, key):
            return False
        with self._writing() as conn:
            conn.execute(classes.update().where(classes.c.id == class_id)
                         .values(challenge=None if challenge is None else json.dumps(challenge)))
        return True

    @_guarded
    def erase_class(self, class_id, key) -> bool:
        """The class and every card in it, gone; False when the key is wrong."""
        if not self.is_teacher(class_id, key):
            return False
        with self._writing() as conn:
            conn.execute(students.delete().where(students.c.class_id == class_id))
            conn.execute(members.delete().where(members.c.class_id == class_id))
            conn.execute(lessons.delete().where(lessons.c.class_id == class_id))
            conn.execute(goals.delete().where(goals.c.class_id == class_id))
            conn.execute(classes.delete().where(classes.c.id == class_id))
        return True

    @_guarded
    def expire(self, now: float | None = None, force: bool = False) -> int:
        """Erase the classes older than max_age_s(); at most once a minute unless forced."""
        now = time.time() if now is None else now
        with self._lock:
            if not force and now - self._last_expiry < EXPIRE_EVERY_S:
                return 0
            self._last_expiry = now
        cutoff = now - max_age_s()
        with self._writing() as conn:
            old = sa.select(classes.c.id).where(classes.c.created < cutoff)
            conn.execute(students.delete().where(students.c.class_id.in_(old)))
            conn.execute(members.delete().where(members.c.class_id.in_(old)))
            conn.execute(lessons.delete().where(lessons.c.class_id.in_(old)))
            conn.execute(goals.delete().where(goals.c.class_id.in_(old)))
            return conn.execute(classes.delete().where(classes.c.created < cutoff)).rowcount

    # -- students --------------------------------------------------------------------------------
    def post(self, class_id, student_id, name: str, snapshot: dict, weights: bytes | None | object = KEEP,
             now: float | None = None) -> bool:
        """Put a student's latest snapshot on the wall (replacing their last one); False when the class
        is gone or the card is refused (see post_batch). `weights`: a checkpoint, None (none kept), or
        KEEP the stored ones (a checkpoint costs more to make than the rest of a snapshot, so a student
        sends one less often). Weights over MAX_WEIGHT_BYTES are not kept (the card has no Open button)."""
        return self.post_and_read_class(class_id, student_id, name, snapshot, weights, now) is not None

    def post_and_read_class(self, class_id, student_id, name: str, snapshot: dict,
                            weights: bytes | None | object = KEEP, now: float | None = None) -> ClassInfo | None:
        """`post`, answering with the class as it is now (its challenge may have changed), or None when
        it is gone or the card was refused: one transaction, one round trip."""
        infos, refused = self.post_batch([dict(class_id=class_id, student_id=student_id, name=name,
                                               snapshot=snapshot, weights=weights)], now)
        return None if refused or not infos else next(iter(infos.values()))

    def post_many(self, posts: list[dict], now: float | None = None) -> dict[str, ClassInfo | None]:
        """post_batch's classes alone."""
        return self.post_batch(posts, now)[0]

    @_guarded
    def post_batch(self, posts: list[dict], now: float | None = None
                   ) -> tuple[dict[str, ClassInfo | None], dict[tuple[str, str], str]]:
        """Many students' posts in one transaction: each a dict of `post`'s arguments (class_id,
        student_id, name, snapshot, and weights, which may be left out: KEEP). Answers (each class as
        it is now, None for a class that is gone: its posts are dropped; {(class id, student id): why}
        for the posts refused: a card the teacher removed, or a new card over the class's caps). Bad
        ids are skipped; a snapshot too big raises StoreError before anything is written."""
        now = time.time() if now is None else now
        rows = []
        for p in posts:
            class_id, student_id = _token(p.get("class_id")), _token(p.get("student_id"))
            if class_id is None or student_id is None:
                continue
            text = json.dumps(p["snapshot"], allow_nan=False)
            if len(text) > MAX_SNAPSHOT_CHARS:
                raise StoreError(f"a snapshot is at most {MAX_SNAPSHOT_CHARS} characters, got {len(text)}")
            row = dict(class_id=class_id, student_id=student_id, name=p["name"][:MAX_NAME], snapshot=text,
                       updated=p.get("updated", now))
            weights = p.get("weights", KEEP)
            if weights is not KEEP:
                row["weights"] = weights if weights is None or len(weights) <= MAX_WEIGHT_BYTES else None
            rows.append(row)
        ids = sorted({r["class_id"] for r in rows})
        if not ids:
            return {}, {}
        refused: dict[tuple[str, str], str] = {}
        with self._writing() as conn:
            found = conn.execute(_class_select().where(classes.c.id.in_(ids))).all()
            infos = {r.id: _info(r) for r in found}
            rows = [r for r in rows if r["class_id"] in infos]
            if rows:
                rows, refused = self._admit(conn, rows, list(infos), now)
            for with_weights in (False, True):     # one statement per shape of row: with weights, or keeping them
                batch = [r for r in rows if ("weights" in r) == with_weights]
                if not batch:
                    continue
                stmt = self._insert(students)
                columns = ["name", "snapshot", "updated"] + (["weights"] if with_weights else [])
                conn.execute(stmt.on_conflict_do_update(index_elements=["class_id", "student_id"],
                                                        set_={c: stmt.excluded[c] for c in columns}), batch)
        return {class_id: infos.get(class_id) for class_id in ids}, refused

    def _admit(self, conn, rows: list[dict], class_ids: list[str], now: float):
        """The rows that may be written, and why the others may not: a removed card stays removed; a new
        card needs room under MAX_CARDS and MAX_JOINS_PER_MIN (counted per transaction: workers on
        several machines posting the same instant may pass a cap by a card or two)."""
        have = {(r.class_id, r.student_id) for r in conn.execute(
            sa.select(students.c.class_id, students.c.student_id).where(students.c.class_id.in_(class_ids)))}
        gone = {(r.class_id, r.student_id) for r in conn.execute(
            sa.select(members.c.class_id, members.c.student_id)
            .where(members.c.class_id.in_(class_ids) & members.c.removed.is_(True)))}
        recent = dict(conn.execute(sa.select(members.c.class_id, sa.func.count()).where(
            members.c.class_id.in_(class_ids) & (members.c.joined > now - 60)).group_by(members.c.class_id)).all())
        cards: dict[str, int] = {}
        for class_id, _ in have:
            cards[class_id] = cards.get(class_id, 0) + 1
        kept, refused, joined = [], {}, []
        for r in rows:
            key = (r["class_id"], r["student_id"])
            if key in gone:
                refused[key] = REMOVED
            elif key in have:
                kept.append(r)
            elif cards.get(key[0], 0) >= MAX_CARDS:
                refused[key] = FULL
            elif recent.get(key[0], 0) >= MAX_JOINS_PER_MIN:
                refused[key] = BUSY
            else:
                kept.append(r)
                have.add(key)
                cards[key[0]] = cards.get(key[0], 0) + 1
                recent[key[0]] = recent.get(key[0], 0) + 1
                joined.append(dict(class_id=key[0], student_id=key[1], joined=now, removed=False))
        if joined:
            stmt = self._insert(members)
            conn.execute(stmt.on_conflict_do_update(index_elements=["class_id", "student_id"],
                                                    set_={"joined": stmt.excluded.joined}), joined)
        return kept, refused

    @_guarded
    def remove_card(self, class_id, key, student_id) -> bool:
        """The teacher takes one card off the wall, for good: that student's posts are refused from now
        on (they are told why). False when the key is wrong."""
        student_id = _token(student_id)
        if student_id is None or not self.is_teacher(class_id, key):
            return False
        with self._writing() as conn:
            conn.execute(students.delete().where((students.c.class_id == class_id)
                                                 & (students.c.student_id == student_id)))
            stmt = self._insert(members).values(class_id=class_id, student_id=student_id, joined=time.time(),
                                                removed=True)
            conn.execute(stmt.on_conflict_do_update(index_elements=["class_id", "student_id"],
                                                    set_={"removed": True}))
        return True

    @_guarded
    def student_name(self, class_id, student_id) -> str | None:
        """The name on a student's card, or None when there is no such card (they left, or it was erased):
        how a reloaded page takes its card back without asking the name again."""
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None:
            return None
        with self.engine.connect() as conn:
            return conn.execute(sa.select(students.c.name).where(
                (students.c.class_id == class_id) & (students.c.student_id == student_id))).scalar()

    @_guarded
    def leave(self, class_id, student_id) -> None:
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None:
            return
        with self._writing() as conn:
            conn.execute(students.delete().where((students.c.class_id == class_id)
                                                 & (students.c.student_id == student_id)))

    @_guarded
    def wall(self, class_id, key) -> list[Card] | None:
        """Every card of the class, oldest student first; None when the key is wrong (or no such class)."""
        if not self.is_teacher(class_id, key):
            return None
        self.expire()
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(students.c.student_id, students.c.name, students.c.snapshot,
                                          (students.c.weights.is_not(None)).label("has_weights"), students.c.updated)
                                .where(students.c.class_id == class_id).order_by(students.c.student_id)).all()
        return [Card(r.student_id, r.name, json.loads(r.snapshot), bool(r.has_weights), r.updated) for r in rows]

    @_guarded
    def weights(self, class_id, key, student_id) -> bytes | None:
        """A student's latest checkpoint, for the teacher to open; None when the key is wrong or none kept."""
        student_id = _token(student_id)
        if student_id is None or not self.is_teacher(class_id, key):
            return None
        with self.engine.connect() as conn:
            return conn.execute(sa.select(students.c.weights).where(
                (students.c.class_id == class_id) & (students.c.student_id == student_id))).scalar()


    # -- a lesson --------------------------------------------------------------------------------
    @_guarded
    def start_lesson(self, class_id, key, source: str, title: str, text: str, steps: int,
                     now: float | None = None) -> LessonState | None:
        """The class runs this lesson from its first step (in place of any other); None when the key is
        wrong. `text`: the lesson file's TOML (checked by the caller: lesson_files.parse), `steps` its count."""
        if not isinstance(text, str) or len(text) > MAX_LESSON_CHARS:
            raise StoreError(f"a lesson is at most {MAX_LESSON_CHARS:,} characters")
        if not isinstance(steps, int) or steps < 1:
            raise StoreError("a lesson needs at least one step")
        if not self.is_teacher(class_id, key):
            return None
        now = time.time() if now is None else now
        row = dict(lesson_id=secrets.token_urlsafe(9), source=str(source)[:300], title=str(title)[:MAX_TITLE],
                   text=text, steps=steps, step=0, started=now)
        with self._writing() as conn:
            stmt = self._insert(lessons).values(class_id=class_id, **row)
            conn.execute(stmt.on_conflict_do_update(index_elements=["class_id"], set_=row))
        return LessonState(row["lesson_id"], row["source"], row["title"], steps, 0, now)

    @_guarded
    def end_lesson(self, class_id, key) -> bool:
        """The class runs no lesson any more (its results go with it); False when the key is wrong."""
        if not self.is_teacher(class_id, key):
            return False
        with self._writing() as conn:
            conn.execute(lessons.delete().where(lessons.c.class_id == class_id))
            conn.execute(goals.delete().where(goals.c.class_id == class_id))
        return True

    @_guarded
    def go_to_step(self, class_id, key, lesson_id, step: int, now: float | None = None) -> LessonState | None:
        """Move the class to `step` (from 0; clamped to the lesson's steps) of the lesson `lesson_id`, the
        one the teacher's page shows (a lesson started since in another tab is not moved by this one):
        the step's clock starts again only when the step changes. None when the key is wrong, the class
        runs no lesson or another one; else the lesson as it is now."""
        if not isinstance(step, int) or isinstance(step, bool) or not self.is_teacher(class_id, key):
            return None
        now = time.time() if now is None else now
        with self._writing() as conn:
            row = conn.execute(sa.select(lessons).where(lessons.c.class_id == class_id)).first()
            if row is None or row.lesson_id != lesson_id:
                return None
            step = min(max(step, 0), row.steps - 1)
            started = row.started if step == row.step else now
            conn.execute(lessons.update().where(lessons.c.class_id == class_id).values(step=step, started=started))
        return LessonState(row.lesson_id, row.source, row.title, row.steps, step, started)

    @_guarded
    def lesson_text(self, class_id) -> str | None:
        """The TOML text of the lesson the class runs (every student's page reads it), or None."""
        class_id = _token(class_id)
        if class_id is None:
            return None
        with self.engine.connect() as conn:
            return conn.execute(sa.select(lessons.c.text).where(lessons.c.class_id == class_id)).scalar()

    @_guarded
    def record_goal(self, class_id, student_id, name: str, lesson_id, step: int, at_step: int,
                    test_loss: float | None, test_metric: float | None, weights: bytes | None,
                    now: float | None = None) -> bool:
        """A student met step `step`'s goal of the lesson `lesson_id`: kept the first time only (a later
        run that meets it again changes nothing). False when the class runs no such lesson, the step is
        not one of its steps, or the card was removed by the teacher."""
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None or not isinstance(step, int):
            return False
        now = time.time() if now is None else now
        if weights is not None and len(weights) > MAX_WEIGHT_BYTES:
            weights = None
        with self._writing() as conn:
            found = conn.execute(sa.select(lessons.c.lesson_id, lessons.c.steps)
                                 .where(lessons.c.class_id == class_id)).first()
            if found is None or found.lesson_id != lesson_id or not 0 <= step < found.steps:
                return False
            removed = conn.execute(sa.select(members.c.removed).where(
                (members.c.class_id == class_id) & (members.c.student_id == student_id))).scalar()
            if removed:
                return False
            stmt = self._insert(goals).values(
                class_id=class_id, lesson_id=lesson_id, step=step, student_id=student_id,
                name=str(name)[:MAX_NAME], at_step=int(at_step), time=now, weights=weights,
                test_loss=_finite(test_loss), test_metric=_finite(test_metric))
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["class_id", "lesson_id", "step", "student_id"]))
        return True

    @_guarded
    def lesson_results(self, class_id, key) -> list[GoalResult] | None:
        """Every goal met in the lesson the class runs now, by step, then by when; None when the key is
        wrong ([] when no lesson runs)."""
        if not self.is_teacher(class_id, key):
            return None
        with self.engine.connect() as conn:
            lesson_id = conn.execute(sa.select(lessons.c.lesson_id).where(lessons.c.class_id == class_id)).scalar()
            rows = conn.execute(sa.select(goals.c.step, goals.c.student_id, goals.c.name, goals.c.at_step,
                                          goals.c.test_loss, goals.c.test_metric, goals.c.time,
                                          goals.c.weights.is_not(None).label("has_weights"))
                                .where((goals.c.class_id == class_id) & (goals.c.lesson_id == lesson_id))
                                .order_by(goals.c.step, goals.c.time, goals.c.student_id)).all()
        return [GoalResult(r.step, r.student_id, r.name, r.at_step, r.test_loss, r.test_metric, r.time,
                           bool(r.has_weights)) for r in rows]

    @_guarded
    def goal_weights(self, class_id, key, step: int, student_id) -> bytes | None:
        """The checkpoint a student's run had when it met step `step`'s goal (of the lesson running now),
        for the teacher to open; None when the key is wrong or none was kept."""
        student_id = _token(student_id)
        if student_id is None or not isinstance(step, int) or not self.is_teacher(class_id, key):
            return None
        with self.engine.connect() as conn:
            lesson_id = conn.execute(sa.select(lessons.c.lesson_id).where(lessons.c.class_id == class_id)).scalar()
            return conn.execute(sa.select(goals.c.weights).where(
                (goals.c.class_id == class_id) & (goals.c.lesson_id == lesson_id) & (goals.c.step == step)
                & (goals.c.student_id == student_id))).scalar()


def _finite(x) -> float | None:
    """A number the database can keep (NaN and infinities are not numbers to PostgreSQL's JSON nor to a CSV)."""
    return float(x) if isinstance(x, (int, float)) and x == x and abs(x) != float("inf") else None


_stores: dict[str, Store | StoreDown] = {}
_stores_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The store at `url` (default: MLP_STORE or the SQLite file), one per process and URL. A URL that
    is no database's raises StoreDown (a page shows it as it shows any other store fault)."""
    url = url or store_url()
    with _stores_lock:
        if url not in _stores:
            try:
                _stores[url] = Store(url)
            except StoreError as err:       # said once in the log; every page asking is told, in plain words
                log.warning("class wall store: %s", err)
                _stores[url] = StoreDown(f"{STORE_ENV} is not a database this app can use", str(err))
        found = _stores[url]
    if isinstance(found, StoreDown):
        raise found.again()
    return found


def new_student_id() -> str:
    return secrets.token_urlsafe(12)
