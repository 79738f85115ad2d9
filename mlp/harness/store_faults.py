"""Faults a class wall's store meets, made for real, for the fault tests: another process holding an
SQLite file locked, a file read-only to the server's user, a PostgreSQL cluster stopped or frozen.

The PostgreSQL helpers act on a throwaway cluster (.ci/postgres; the fault tests start one of their own):
its data folder is asked of the server itself, pg_ctl runs as the cluster's owner.
"""
from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
"""


@contextlib.contextmanager
def sqlite_locked(path: Path):
    """Another process holds the database file's write lock (BEGIN EXCLUSIVE) until the block ends."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def wait_until(check, timeout: float, every: float = 0.1):
    """Call `check` until it returns something truthy (exceptions count as not yet); (value, seconds)."""
    start = time.monotonic()
    while True:
        try:
            value = check()
        except Exception:
            value = None
        if value:
            return value, time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(every)


# -- PostgreSQL -----------------------------------------------------------------------------------
def _pg_bin() -> Path:
    return sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]


def data_dir(url: str) -> Path:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return Path(conn.exec_driver_sql("SHOW data_directory").scalar())
    finally:
        engine.dispose()


def _as_owner(args: list[str], folder: Path) -> list[str]:
    owner = pwd.getpwuid(folder.stat().st_uid).pw_name
    return ["runuser", "-u", owner, "--", *args] if os.geteuid() == 0 and owner != "root" else args


def pg_stop(folder: Path) -> list[str]:
    """Stop the cluster (fast: its connections are cut, as a crash or a maintenance stop would);
    answers the options it ran with, for pg_start."""
    opts = shlex.split((folder / "postmaster.opts").read_text())[1:]
    subprocess.run(_as_owner([str(_pg_bin() / "pg_ctl"), "-D", str(folder), "-m", "fast", "-w", "stop"], folder),
                   check=True, capture_output=True, timeout=60)
    return opts


def pg_start(folder: Path, opts: list[str]) -> None:
    kept = [o for i, o in enumerate(opts) if o != "-D" and (i == 0 or opts[i - 1] != "-D")]
    subprocess.run(_as_owner([str(_pg_bin() / "pg_ctl"), "-D", str(folder), "-l", str(folder.parent / "server.log"),
                              "-w", "-o", shlex.join(kept), "start"], folder),
                   check=True, capture_output=True, timeout=60)


def cluster_pids(folder: Path) -> list[int]:
    """The postmaster and every process it started (the backends holding our connections)."""
    postmaster = int((folder / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == postmaster:
            pids.append(int(stat.parent.name))
    return pids


@contextlib.contextmanager
def pg_frozen(folder: Path):
    """Every process of the cluster stopped (SIGSTOP): connections open, nothing answers."""
    pids = cluster_pids(folder)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
