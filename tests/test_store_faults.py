"""Store faults (issue 21, item 4), below the pages: each fault made for real, then undone. What must
hold: the store answers with StoreDown, a plain sentence (no host, no port, no SQL), within its
deadline; a student's post waits in the queue and lands when the store is back, without a restart.
The pages' side is in test_class_wall_faults.py.
"""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlp.classroom.wall_posts import PostQueue
from mlp.classroom.store import Store, StoreError, new_student_id, open_store
from mlp.classroom.store.guard import DEADLINE_S, RETRY_S, StoreDown
from tests.store_backends import private_postgres
from mlp.harness.store_faults import pg_frozen, pg_start, pg_stop, sqlite_locked, wait_until

ROOT = Path(__file__).resolve().parent.parent
SNAP = {"step": 1, "state": "playing"}
SECRETS = ("SELECT", "INSERT", "[SQL", "127.0.0.1", "port", "sqlite:", "postgresql", "Traceback")


def plain(err) -> str:
    """The error's text (or a text), checked to be a sentence a page can show: nothing of the driver's."""
    text = str(err)
    assert text.startswith("the class wall is unreachable just now (")
    assert not any(s.lower() in text.lower() for s in SECRETS), text
    return text


def cards(store, class_id, key):
    return {c.name: c.snapshot for c in store.wall(class_id, key)}


# -- SQLite ----------------------------------------------------------------------------------------
def test_a_bad_store_url_is_a_plain_store_down(monkeypatch):
    for url in ("nonsense", "mysql://u@h/db"):
        with pytest.raises(StoreDown) as caught:
            open_store(url)
        assert "MLP_STORE" in str(caught.value) and url not in str(caught.value)


def test_an_unwritable_folder_says_so_and_is_used_once_it_can_be(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the store's folder should be")
    store = Store(f"sqlite:///{blocker / 'classes.sqlite'}")         # no error yet: nothing is opened
    with pytest.raises(StoreDown) as caught:
        store.create_class("Tuesday")
    assert "cannot be opened" in plain(caught.value)
    blocker.unlink()                                                   # the admin fixes it; no restart
    (class_id, key), took = wait_until(lambda: store.create_class("Tuesday"), timeout=RETRY_S + 3)
    assert store.wall(class_id, key) == [] and took <= RETRY_S + 1


def test_a_file_locked_by_another_process_fails_fast_and_the_queued_post_lands_after(tmp_path):
    path = tmp_path / "classes.sqlite"
    store = Store(f"sqlite:///{path}")
    class_id, key = store.create_class("Locked")
    queue, ana = PostQueue(store), new_student_id()
    with sqlite_locked(path):
        start = time.monotonic()
        with pytest.raises(StoreDown) as caught:
            store.create_class("Another")
        assert time.monotonic() - start < DEADLINE_S                 # the busy timeout (2 s), not 10 s
        assert "locked" in plain(caught.value)
        start = time.monotonic()
        queue.put(class_id, ana, "Ana", {**SNAP, "step": 7})
        queue.flush_soon()                                           # the page waits ...
        assert time.monotonic() - start < 1.0                         # ... at most a moment
        wait_until(lambda: queue.problem(class_id, ana), timeout=DEADLINE_S + 1)
        assert "locked" in plain(queue.problem(class_id, ana))          # what the student would be told
    _, took = wait_until(lambda: cards(store, class_id, key).get("Ana"), timeout=2 * RETRY_S + 3)
    assert cards(store, class_id, key)["Ana"]["step"] == 7 and queue.problem(class_id, ana) is None


def test_a_deleted_database_file_is_put_back_with_every_class_and_card(tmp_path):
    path = tmp_path / "classes.sqlite"
    store = Store(f"sqlite:///{path}")
    class_id, key = store.create_class("Deleted")
    store.post(class_id, "student-0001", "Ana", SNAP)
    for f in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):      # gone, as an `rm classes.sqlite*` does
        f.unlink(missing_ok=True)
    assert cards(store, class_id, key) == {"Ana": SNAP}              # the next call puts it back
    assert path.exists() and store.incident and "put back" in store.incident[1]
    assert cards(Store(f"sqlite:///{path}"), class_id, key) == {"Ana": SNAP}     # on disk: a restart keeps it


def test_a_deleted_file_with_no_connection_left_is_made_anew_and_said(tmp_path):
    path = tmp_path / "classes.sqlite"
    store = Store(f"sqlite:///{path}")
    class_id, key = store.create_class("Gone")
    store.engine.dispose()                                           # no connection holds the old file
    path.unlink()
    assert store.wall(class_id, key) is None and store.create_class("New")   # a working, empty store
    assert store.incident and "deleted" in store.incident[1]


READ_ONLY = """
import json, os, sys, time
sys.path.insert(0, sys.argv[2])
from mlp.classroom.store import Store
from mlp.classroom.store.guard import StoreDown
folder = sys.argv[1]
Store(f"sqlite:///{folder}/warm.sqlite").create_class("warm")      # every module loaded while still root
os.setgid(65534); os.setuid(65534)                                  # nobody: permissions count now
store = Store(f"sqlite:///{folder}/db/classes.sqlite")
class_id, key = store.create_class("Read-only")
os.chmod(f"{folder}/db/classes.sqlite", 0o444); os.chmod(f"{folder}/db", 0o555)
store.engine.dispose()          # a new connection (a restarted pool, another worker) opens it read-only
out = {}
try:
    store.post(class_id, "student-0002", "Ben", {"step": 2})
except StoreDown as err:
    out["down"] = str(err)
os.chmod(f"{folder}/db/classes.sqlite", 0o644); os.chmod(f"{folder}/db", 0o755)
start = time.monotonic()
while True:
    try:
        out["posted"] = store.post(class_id, "student-0002", "Ben", {"step": 3})
        break
    except StoreDown:
        time.sleep(0.1)
out["took"] = time.monotonic() - start
out["wall"] = [c.snapshot for c in store.wall(class_id, key)]
print(json.dumps(out))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become nobody, so file permissions count")
def test_a_read_only_file_is_said_and_writes_resume_when_permissions_return(tmp_path_factory):
    folder = Path("/tmp") / f"mlp-ro-{os.getpid()}"          # outside pytest's 0700 tmp folder: nobody reads it
    (folder / "db").mkdir(parents=True)
    try:
        shutil.chown(folder / "db", "nobody")
        done = subprocess.run([sys.executable, "-c", READ_ONLY, str(folder), str(ROOT)], capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert "read-only" in plain(out["down"])
        assert out["posted"] is True and out["wall"] == [{"step": 3}]       # the pool did not stay read-only
        assert out["took"] <= RETRY_S + 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_input_the_store_refuses_is_not_a_fault(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with pytest.raises(StoreError):
        store.create_class("\u202e")
    assert store.guard.down is None and store.create_class("Fine")


# -- PostgreSQL ------------------------------------------------------------------------------------
def test_a_refusing_postgresql_fails_within_the_deadline_and_says_nothing_of_the_host():
    store = Store("postgresql+psycopg://postgres@127.0.0.1:1/none")      # nothing listens on port 1
    start = time.monotonic()
    with pytest.raises(StoreDown) as caught:
        store.class_info("a" * 16)
    assert time.monotonic() - start < DEADLINE_S
    assert "cannot be reached" in plain(caught.value)
    start = time.monotonic()
    with pytest.raises(StoreDown):                                    # down: the next call fails at once
        store.class_info("a" * 16)
    assert time.monotonic() - start < 0.5


@pytest.fixture(scope="module")
def pg():
    """A cluster of this module's own: its tests stop and freeze it."""
    with private_postgres() as cluster:
        yield cluster


def test_postgresql_stopped_mid_lesson_is_said_and_the_queued_post_lands_when_it_restarts(pg):
    url, folder = pg
    store = Store(url)
    class_id, key = store.create_class("Stopped")
    queue, ana = PostQueue(store), new_student_id()
    queue.put(class_id, ana, "Ana", SNAP)
    queue.flush()
    opts = pg_stop(folder)
    try:
        with pytest.raises(StoreDown) as caught:
            store.wall(class_id, key)
        plain(caught.value)
        queue.put(class_id, ana, "Ana", {**SNAP, "step": 9})
        wait_until(lambda: queue.problem(class_id, ana), timeout=DEADLINE_S + RETRY_S)
    finally:
        pg_start(folder, opts)
    started = time.monotonic()
    wait_until(lambda: cards(store, class_id, key)["Ana"]["step"] == 9, timeout=3 * RETRY_S + DEADLINE_S)
    assert time.monotonic() - started <= 2 * RETRY_S + 1


def test_a_frozen_postgresql_costs_a_page_the_deadline_once_then_nothing(pg):
    url, folder = pg
    store = Store(url)
    class_id, key = store.create_class("Frozen")
    store.post(class_id, "student-0003", "Cleo", SNAP)
    with pg_frozen(folder):
        start = time.monotonic()
        with pytest.raises(StoreDown) as caught:
            store.wall(class_id, key)
        assert DEADLINE_S - 0.5 < time.monotonic() - start < DEADLINE_S + 1
        assert "does not answer" in plain(caught.value)
        start = time.monotonic()
        with pytest.raises(StoreDown):
            store.class_info(class_id)
        assert time.monotonic() - start < 0.5
        time.sleep(RETRY_S)
        start = time.monotonic()                 # the first probe may hang in its thread: no page waits on it
        for _ in range(3):
            with pytest.raises(StoreDown):
                store.class_info(class_id)
        assert time.monotonic() - start < DEADLINE_S + 1
    _, took = wait_until(lambda: "Cleo" in cards(store, class_id, key), timeout=STUCK_WAIT)
    assert took <= STUCK_WAIT


STUCK_WAIT = 3 * RETRY_S + 2 * DEADLINE_S


def test_postgresql_connections_carry_the_connect_and_statement_timeouts(pg):
    url, _ = pg
    store = Store(url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "3s"
        assert conn.connection.dbapi_connection.info.get_parameters()["connect_timeout"] == "3"
    own = Store(url + ("&" if "?" in url else "?") + "connect_timeout=7")     # a URL's own setting wins
    with own.engine.connect() as conn:
        assert conn.connection.dbapi_connection.info.get_parameters()["connect_timeout"] == "7"
