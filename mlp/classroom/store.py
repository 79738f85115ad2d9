"""The class wall's store: the only code that talks to the database (SQLAlchemy Core).

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
once a minute, when a class is created or a wall is read.
"""
from __future__ import annotations

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

STORE_ENV = "MLP_STORE"
MAX_AGE_ENV = "MLP_CLASS_MAX_AGE_HOURS"
DEFAULT_MAX_AGE_H = 48.0
MAX_WEIGHT_BYTES = 256_000          # a student's checkpoint, at most (the default net's is about 20 KB)
MAX_SNAPSHOT_CHARS = 16_000         # a snapshot's JSON, at most (the default one is about 1.3 KB)
MAX_TITLE, MAX_NAME = 120, 40
EXPIRE_EVERY_S = 60.0
SQLITE_BUSY_MS = 10_000
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


class StoreError(ValueError):
    """Input the store refuses (a title too long, a snapshot too big); the message says which."""


@dataclass(frozen=True)
class ClassInfo:
    id: str
    title: str
    created: float
    challenge: dict | None


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


class Store:
    def __init__(self, url: str):
        try:
            self.url = sa.engine.make_url(url)
        except sa.exc.ArgumentError:
            raise StoreError(f"{STORE_ENV} must be a database URL (sqlite:///path or "
                             f"postgresql+psycopg://user@host/db), got {url[:80]!r}") from None
        if self.url.get_backend_name() == "sqlite":
            if self.url.database and self.url.database != ":memory:":
                folder = Path(self.url.database).expanduser().parent
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                except OSError as err:
                    raise StoreError(f"cannot create the store's folder {folder} ({STORE_ENV}): "
                                     f"{err.strerror or err}") from None
            self.engine = sa.create_engine(self.url)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            self._insert = sqlite.insert
        elif self.url.get_backend_name() == "postgresql":
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
            self._insert = postgresql.insert
        else:
            raise StoreError(f"{STORE_ENV} must be an sqlite:/// or postgresql+psycopg:// URL, got "
                             f"{self.url.get_backend_name()!r}")
        try:
            metadata.create_all(self.engine)
        except sa.exc.SQLAlchemyError as err:
            raise StoreError(f"cannot open the store {self.url.render_as_string(hide_password=True)} "
                             f"({STORE_ENV}): {str(getattr(err, 'orig', None) or err).splitlines()[0][:200]}") from None
        self._last_expiry = 0.0
        self._lock = threading.Lock()

    # -- classes ---------------------------------------------------------------------------------
    def create_class(self, title: str, now: float | None = None) -> tuple[str, str]:
        """A new class: (class id, teacher key). The key is shown once and stored only hashed."""
        title = title.strip()
        if not title or len(title) > MAX_TITLE:
            raise StoreError(f"a class title is 1 to {MAX_TITLE} characters, got {len(title)}")
        now = time.time() if now is None else now
        self.expire(now)
        class_id, key = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            conn.execute(classes.insert().values(id=class_id, title=title, teacher_key_hash=_hash(key),
                                                 created=now, challenge=None))
        return class_id, key

    def class_info(self, class_id) -> ClassInfo | None:
        """The class's public part (title, challenge), for a student joining; None when there is none."""
        class_id = _token(class_id)
        if class_id is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(classes.c.id, classes.c.title, classes.c.created, classes.c.challenge)
                               .where(classes.c.id == class_id)).first()
        if row is None:
            return None
        return ClassInfo(row.id, row.title, row.created, json.loads(row.challenge) if row.challenge else None)

    def is_teacher(self, class_id, key) -> bool:
        class_id, key = _token(class_id), _token(key)
        if class_id is None or key is None:
            return False
        with self.engine.connect() as conn:
            stored = conn.execute(sa.select(classes.c.teacher_key_hash).where(classes.c.id == class_id)).scalar()
        # a missing class is compared too, so both answers take the same time
        return hmac.compare_digest(stored or "0" * 64, _hash(key)) and stored is not None

    def set_challenge(self, class_id, key, challenge: dict | None) -> bool:
        if not self.is_teacher(class_id, key):
            return False
        with self.engine.begin() as conn:
            conn.execute(classes.update().where(classes.c.id == class_id)
                         .values(challenge=None if challenge is None else json.dumps(challenge)))
        return True

    def erase_class(self, class_id, key) -> bool:
        """The class and every card in it, gone; False when the key is wrong."""
        if not self.is_teacher(class_id, key):
            return False
        with self.engine.begin() as conn:
            conn.execute(students.delete().where(students.c.class_id == class_id))
            conn.execute(classes.delete().where(classes.c.id == class_id))
        return True

    def expire(self, now: float | None = None, force: bool = False) -> int:
        """Erase the classes older than max_age_s(); at most once a minute unless forced."""
        now = time.time() if now is None else now
        with self._lock:
            if not force and now - self._last_expiry < EXPIRE_EVERY_S:
                return 0
            self._last_expiry = now
        cutoff = now - max_age_s()
        with self.engine.begin() as conn:
            old = sa.select(classes.c.id).where(classes.c.created < cutoff)
            conn.execute(students.delete().where(students.c.class_id.in_(old)))
            return conn.execute(classes.delete().where(classes.c.created < cutoff)).rowcount

    # -- students --------------------------------------------------------------------------------
    def post(self, class_id, student_id, name: str, snapshot: dict, weights: bytes | None | object = KEEP,
             now: float | None = None) -> bool:
        """Put a student's latest snapshot on the wall (replacing their last one); False when the class
        is gone. `weights`: a checkpoint, None (none kept), or KEEP the stored ones (a checkpoint costs
        more to make than the rest of a snapshot, so a student sends one less often). Weights over
        MAX_WEIGHT_BYTES are not kept (the card has no Open button then)."""
        return self.post_and_read_class(class_id, student_id, name, snapshot, weights, now) is not None

    def post_and_read_class(self, class_id, student_id, name: str, snapshot: dict,
                            weights: bytes | None | object = KEEP, now: float | None = None) -> ClassInfo | None:
        """`post`, answering with the class as it is now (its challenge may have changed), or None when
        it is gone: one transaction, so a student's post is one round trip, not a read and a write."""
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None:
            return None
        text = json.dumps(snapshot, allow_nan=False)
        if len(text) > MAX_SNAPSHOT_CHARS:
            raise StoreError(f"a snapshot is at most {MAX_SNAPSHOT_CHARS} characters, got {len(text)}")
        values = dict(name=name[:MAX_NAME], snapshot=text, updated=time.time() if now is None else now)
        if weights is not KEEP:
            values["weights"] = weights if weights is None or len(weights) <= MAX_WEIGHT_BYTES else None
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(classes.c.id, classes.c.title, classes.c.created, classes.c.challenge)
                               .where(classes.c.id == class_id)).first()
            if row is None:
                return None
            stmt = self._insert(students).values(class_id=class_id, student_id=student_id, **values)
            conn.execute(stmt.on_conflict_do_update(index_elements=["class_id", "student_id"], set_=values))
        return ClassInfo(row.id, row.title, row.created, json.loads(row.challenge) if row.challenge else None)

    def post_many(self, posts: list[dict], now: float | None = None) -> dict[str, ClassInfo | None]:
        """Many students' posts in one transaction: each a dict of `post`'s arguments (class_id,
        student_id, name, snapshot, and weights, which may be left out: KEEP). Answers with each
        class as it is now, None for a class that is gone (its posts are dropped). Bad ids are
        skipped; a snapshot too big raises StoreError before anything is written."""
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
            return {}
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(classes.c.id, classes.c.title, classes.c.created, classes.c.challenge)
                                 .where(classes.c.id.in_(ids))).all()
            infos = {r.id: ClassInfo(r.id, r.title, r.created, json.loads(r.challenge) if r.challenge else None)
                     for r in found}
            for with_weights in (False, True):     # one statement per shape of row: with weights, or keeping them
                batch = [r for r in rows if r["class_id"] in infos and ("weights" in r) == with_weights]
                if not batch:
                    continue
                stmt = self._insert(students)
                columns = ["name", "snapshot", "updated"] + (["weights"] if with_weights else [])
                conn.execute(stmt.on_conflict_do_update(index_elements=["class_id", "student_id"],
                                                        set_={c: stmt.excluded[c] for c in columns}), batch)
        return {class_id: infos.get(class_id) for class_id in ids}

    def student_name(self, class_id, student_id) -> str | None:
        """The name on a student's card, or None when there is no such card (they left, or it was erased):
        how a reloaded page takes its card back without asking the name again."""
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None:
            return None
        with self.engine.connect() as conn:
            return conn.execute(sa.select(students.c.name).where(
                (students.c.class_id == class_id) & (students.c.student_id == student_id))).scalar()

    def leave(self, class_id, student_id) -> None:
        class_id, student_id = _token(class_id), _token(student_id)
        if class_id is None or student_id is None:
            return
        with self.engine.begin() as conn:
            conn.execute(students.delete().where((students.c.class_id == class_id)
                                                 & (students.c.student_id == student_id)))

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

    def weights(self, class_id, key, student_id) -> bytes | None:
        """A student's latest checkpoint, for the teacher to open; None when the key is wrong or none kept."""
        student_id = _token(student_id)
        if student_id is None or not self.is_teacher(class_id, key):
            return None
        with self.engine.connect() as conn:
            return conn.execute(sa.select(students.c.weights).where(
                (students.c.class_id == class_id) & (students.c.student_id == student_id))).scalar()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(url: str | None = None) -> Store:
    """The store at `url` (default: MLP_STORE or the SQLite file), one per process and URL."""
    url = url or store_url()
    with _stores_lock:
        if url not in _stores:
            _stores[url] = Store(url)
        return _stores[url]


def new_student_id() -> str:
    return secrets.token_urlsafe(12)
