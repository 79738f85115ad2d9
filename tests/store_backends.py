"""The databases the store is tested on: SQLite always; PostgreSQL when MLP_TEST_POSTGRES names one.

In CI (CI=true) PostgreSQL is required: .ci/run starts a throwaway cluster (.ci/postgres) and exports
its URL. Locally, without it, the PostgreSQL cases skip and say why.
"""
import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from mlp.harness.store_faults import data_dir, pg_stop

ROOT = Path(__file__).resolve().parent.parent

PG_ENV = "MLP_TEST_POSTGRES"


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL storage tests: {PG_ENV} is not set (see .ci/run)")
        pytest.skip(f"no PostgreSQL: set {PG_ENV} to a throwaway database URL (.ci/postgres starts one)")
    return url


@contextlib.contextmanager
def private_postgres():
    """(url, data folder) of a throwaway cluster of the caller's own (.ci/postgres), stopped and removed
    after: for the tests that stop, freeze or lock a cluster, so that the other PostgreSQL tests, which
    may run beside them in another pytest-xdist worker, never find the shared one down. Where PostgreSQL
    is not there, it skips locally and fails in CI, as postgres_url() does."""
    postgres_url()
    started = subprocess.run(["bash", str(ROOT / ".ci" / "postgres")], capture_output=True, text=True,
                             timeout=120)
    assert started.returncode == 0, started.stderr
    url = started.stdout.strip().splitlines()[-1]
    folder = data_dir(url)
    try:
        yield url, folder
    finally:
        with contextlib.suppress(Exception):            # a test may have left it stopped
            pg_stop(folder)
        shutil.rmtree(folder.parent, ignore_errors=True)


def store_url(backend: str, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'classes.sqlite'}" if backend == "sqlite" else postgres_url()


BACKENDS = ["sqlite", "postgresql"]
