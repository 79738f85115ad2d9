"""The class wall's store (mlp/classroom/store.py) on SQLite and on PostgreSQL: the same tests, both databases."""
import hashlib
import threading
import time

import pytest
import sqlalchemy as sa

from mlp.classroom import store as store_module
from mlp.classroom.store import MAX_WEIGHT_BYTES, Store, StoreError, new_student_id

HOSTILE = [None, "", "x", "'; DROP TABLE classes; --", "a" * 5000, "\u202e\u0000evil", "../../etc/passwd",
           "<script>alert(1)</script>", 42, ["list"], "aaaaaaaa aaaaaaaa"]


SNAP = {"step": 10, "test_loss": 0.5, "state": "playing"}


def test_a_new_class_has_an_empty_wall_that_only_its_key_opens(store):
    class_id, key = store.create_class("Workshop <b>1</b>")
    assert store.wall(class_id, key) == []
    assert store.class_info(class_id).title == "Workshop <b>1</b>"
    other_id, other_key = store.create_class("Another")
    assert store.wall(class_id, other_key) is None          # a real key of another class
    assert store.wall(class_id, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    for bad in HOSTILE:
        assert store.wall(class_id, bad) is None
        assert store.wall(bad, key) is None
        assert store.class_info(bad) is None
        assert store.weights(class_id, bad, "s" * 16) is None
        assert not store.set_challenge(class_id, bad, {"x": 1})
        assert not store.erase_class(class_id, bad)
        store.leave(class_id, bad)
        assert store.post(bad, new_student_id(), "n", SNAP) is False
        assert store.post(class_id, bad, "n", SNAP) is False
    assert store.wall(class_id, key) == []


def test_only_a_hash_of_the_teacher_key_is_stored(store):
    class_id, key = store.create_class("Hashing")
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(store_module.classes).where(store_module.classes.c.id == class_id)).one()
    assert key not in [str(v) for v in row]
    assert row.teacher_key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert len(key) >= 32 and len(class_id) >= 16          # 24 and 12 random bytes, base64


def test_a_post_replaces_the_students_card_and_leaving_removes_it(store):
    class_id, key = store.create_class("Posting")
    ana, ben = new_student_id(), new_student_id()
    assert store.post(class_id, ana, "Ana", {**SNAP, "step": 1}, b"w1", now=100.0)
    assert store.post(class_id, ben, "Ben", SNAP, now=101.0)
    assert store.post(class_id, ana, "Ana", {**SNAP, "step": 2}, b"w2", now=102.0)
    cards = {c.name: c for c in store.wall(class_id, key)}
    assert set(cards) == {"Ana", "Ben"}
    assert cards["Ana"].snapshot["step"] == 2 and cards["Ana"].updated == 102.0
    assert cards["Ana"].has_weights and not cards["Ben"].has_weights
    assert store.weights(class_id, key, ana) == b"w2"
    assert store.post(class_id, ana, "Ana", {**SNAP, "step": 3}, now=103.0)      # weights left out: kept
    assert store.weights(class_id, key, ana) == b"w2"
    assert store.post(class_id, ana, "Ana", {**SNAP, "step": 4}, None, now=104.0)   # None: dropped
    assert store.weights(class_id, key, ana) is None
    assert store.post(class_id, ana, "Ana", {**SNAP, "step": 5}, b"w5", now=105.0)
    store.leave(class_id, ana)
    assert [c.name for c in store.wall(class_id, key)] == ["Ben"]
    assert store.weights(class_id, key, ana) is None


def test_a_post_brings_back_the_class_and_a_card_gives_its_name(store):
    class_id, key = store.create_class("Read back")
    s = new_student_id()
    assert store.student_name(class_id, s) is None
    info = store.post_and_read_class(class_id, s, "Ana", SNAP)
    assert (info.id, info.title, info.challenge) == (class_id, "Read back", None)
    store.set_challenge(class_id, key, {"target": 0.5})
    assert store.post_and_read_class(class_id, s, "Ana", SNAP).challenge == {"target": 0.5}
    assert store.student_name(class_id, s) == "Ana" and store.student_name(class_id, "x") is None
    assert [c.name for c in store.wall(class_id, key)] == ["Ana"]          # one card, however many posts
    store.erase_class(class_id, key)
    assert store.post_and_read_class(class_id, s, "Ana", SNAP) is None and store.student_name(class_id, s) is None


def test_many_posts_go_in_one_write_and_a_gone_class_drops_its_own(store):
    live, key = store.create_class("Live")
    gone, gone_key = store.create_class("Gone")
    store.erase_class(gone, gone_key)
    ana, ben, cy = new_student_id(), new_student_id(), new_student_id()
    store.post(live, ana, "Ana", SNAP, b"w0")
    found = store.post_many([
        dict(class_id=live, student_id=ana, name="Ana", snapshot={**SNAP, "step": 7}),            # keeps b"w0"
        dict(class_id=live, student_id=ben, name="Ben", snapshot={**SNAP, "step": 8}, weights=b"wb"),
        dict(class_id=gone, student_id=cy, name="Cy", snapshot=SNAP),
        dict(class_id="<bad>", student_id=cy, name="Cy", snapshot=SNAP)])
    assert found[live].title == "Live" and found[gone] is None and set(found) == {live, gone}
    cards = {c.name: c for c in store.wall(live, key)}
    assert {n: c.snapshot["step"] for n, c in cards.items()} == {"Ana": 7, "Ben": 8}
    assert store.weights(live, key, ana) == b"w0" and store.weights(live, key, ben) == b"wb"
    assert store.post_many([]) == {}


def test_the_post_queue_writes_the_latest_post_and_leaving_drops_a_waiting_one(store):
    from mlp.classroom.wall_posts import UNKNOWN, PostQueue
    class_id, key = store.create_class("Queue")
    q = PostQueue(store, every=3600.0)          # its thread would wait an hour: every write here is a flush
    ana, ben = new_student_id(), new_student_id()
    assert q.known(class_id) is UNKNOWN
    q.put(class_id, ana, "Ana", {**SNAP, "step": 1}, b"w1")
    q.put(class_id, ana, "Ana", {**SNAP, "step": 2})              # replaces step 1, carries its weights on
    q.put(class_id, ben, "Ben", {**SNAP, "step": 5})
    assert store.wall(class_id, key) == []                        # nothing written before a flush
    q.flush()
    cards = {c.name: c for c in store.wall(class_id, key)}
    assert cards["Ana"].snapshot["step"] == 2 and store.weights(class_id, key, ana) == b"w1"
    assert cards["Ben"].snapshot["step"] == 5 and not cards["Ben"].has_weights
    assert q.known(class_id).title == "Queue" and q.problem(class_id, ana) is None
    q.put(class_id, ben, "Ben", {**SNAP, "step": 6})
    q.leave(class_id, ben)
    q.flush()
    assert [c.name for c in store.wall(class_id, key)] == ["Ana"]
    with pytest.raises(ValueError):
        q.put(class_id, ana, "Ana", {"test_loss": float("nan")})   # refused on the way in: the others' posts go on
    with pytest.raises(StoreError):
        q.put(class_id, ana, "Ana", {"x": "y" * 20_000})
    store.erase_class(class_id, key)
    q.put(class_id, ana, "Ana", SNAP)
    q.flush()
    assert q.known(class_id) is None


def test_weights_over_the_cap_are_not_kept_and_a_huge_snapshot_is_refused(store):
    class_id, key = store.create_class("Caps")
    s = new_student_id()
    exact = bytes(range(256)) * (MAX_WEIGHT_BYTES // 256)
    assert store.post(class_id, s, "A", SNAP, exact)
    assert store.weights(class_id, key, s) == exact
    assert store.post(class_id, s, "A", SNAP, exact + b"x" * 256)
    assert store.weights(class_id, key, s) is None
    with pytest.raises(StoreError, match="at most"):
        store.post(class_id, s, "A", {"x": "y" * 20_000})
    with pytest.raises(StoreError, match="title"):
        store.create_class(" " * 3)


def test_a_post_to_an_erased_class_is_refused_and_erasing_needs_the_key(store):
    class_id, key = store.create_class("Erase me")
    s = new_student_id()
    store.post(class_id, s, "A", SNAP, b"w")
    assert not store.erase_class(class_id, "x" * 32)
    assert len(store.wall(class_id, key)) == 1
    assert store.erase_class(class_id, key)
    assert store.wall(class_id, key) is None and store.class_info(class_id) is None
    assert store.post(class_id, s, "A", SNAP) is False
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store_module.students)
                            .where(store_module.students.c.class_id == class_id)).scalar() == 0


def test_classes_older_than_the_max_age_are_erased(store, monkeypatch):
    monkeypatch.setenv(store_module.MAX_AGE_ENV, "2")          # hours
    now = time.time()
    old_id, old_key = store.create_class("Old", now=now - 2 * 3600 - 1)
    new_id, new_key = store.create_class("New", now=now - 2 * 3600 + 60)
    store.post(old_id, new_student_id(), "A", SNAP)
    store.post(new_id, new_student_id(), "B", SNAP)
    assert store.expire(now, force=True) >= 1
    assert store.class_info(old_id) is None and store.wall(old_id, old_key) is None
    assert len(store.wall(new_id, new_key)) == 1


@pytest.mark.parametrize("raw,hours", [("", 48), ("abc", 48), ("nan", 48), ("-1", 48), ("inf", 48), ("0.5", 0.5)])
def test_the_max_age_setting_falls_back_on_nonsense(monkeypatch, raw, hours):
    monkeypatch.setenv(store_module.MAX_AGE_ENV, raw)
    assert store_module.max_age_s() == hours * 3600


def test_the_challenge_round_trips(store):
    class_id, key = store.create_class("Challenge")
    challenge = {"dataset": "spiral", "target": 0.1, "max_weights": 200, "max_layers": None}
    assert store.set_challenge(class_id, key, challenge)
    assert store.class_info(class_id).challenge == challenge
    assert store.set_challenge(class_id, key, None)
    assert store.class_info(class_id).challenge is None


def test_a_restarted_server_finds_every_class_and_card(url):
    """A second Store on the same URL is what a restarted worker (or another one) sees."""
    first = Store(url)
    class_id, key = first.create_class("Restart")
    for i in range(3):
        first.post(class_id, new_student_id(), f"S{i}", SNAP)
    first.engine.dispose()
    assert sorted(c.name for c in Store(url).wall(class_id, key)) == ["S0", "S1", "S2"]


def test_thirty_students_posting_at_once_all_land(url):
    """Each student a thread with its own Store (own connections, as separate workers have): none is
    locked out, and every last post is the one on the wall."""
    class_id, key = Store(url).create_class("Thirty")
    errors, start = [], threading.Barrier(30)

    def student(i: int) -> None:
        s, sid = Store(url), new_student_id()
        try:
            start.wait()
            for step in range(10):
                assert s.post(class_id, sid, f"S{i:02d}", {"step": step}, b"w" * 2000)
        except Exception as err:        # collected: a thread's exception would vanish
            errors.append(repr(err))
        finally:
            s.engine.dispose()

    threads = [threading.Thread(target=student, args=(i,)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    cards = Store(url).wall(class_id, key)
    assert sorted(c.name for c in cards) == [f"S{i:02d}" for i in range(30)]
    assert {c.snapshot["step"] for c in cards} == {9}


def test_one_process_writers_to_one_file_take_turns_and_a_long_wait_is_a_plain_store_down(tmp_path, monkeypatch):
    """Two Stores on one file (two pages of one server) share one writer lock; a write kept waiting
    on it past SQLite's busy timeout fails as StoreDown, a sentence, and writes nothing."""
    path = tmp_path / "classes.sqlite"
    a, b = Store(f"sqlite:///{path}"), Store(f"sqlite:///{tmp_path / '.' / 'classes.sqlite'}")
    assert a._writer is b._writer
    class_id, _ = a.create_class("Turns")
    monkeypatch.setattr(store_module, "SQLITE_BUSY_MS", 200)
    held, release = threading.Event(), threading.Event()

    def hold():                       # another thread of this process in the middle of a write
        with a._writer:
            held.set()
            release.wait(10)
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        with pytest.raises(store_module.StoreDown, match="too many writes at once"):
            b.post(class_id, new_student_id(), "Late", {"step": 1})
    finally:
        release.set()
        holder.join()
    assert a.wall(class_id, _) == []


def test_sqlite_runs_in_wal_mode_and_creates_its_folder(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'new' / 'deeper' / 'classes.sqlite'}")
    assert (tmp_path / "new" / "deeper" / "classes.sqlite").exists()
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == store_module.SQLITE_BUSY_MS


def test_the_default_store_is_an_sqlite_file_under_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(store_module.STORE_ENV, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert store_module.store_url() == f"sqlite:///{tmp_path / 'mlp' / 'classes.sqlite'}"
    monkeypatch.setenv(store_module.STORE_ENV, "sqlite:///x.db")
    assert store_module.store_url() == "sqlite:///x.db"


def test_an_unsupported_database_is_named():
    with pytest.raises(StoreError, match="MLP_STORE"):
        Store("mysql://u@h/db")
