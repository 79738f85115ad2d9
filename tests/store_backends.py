"""The databases the store is tested on: SQLite always; PostgreSQL when MLP_TEST_POSTGRES names one.

In CI (CI=true) PostgreSQL is required: .ci/run starts a throwaway cluster (.ci/postgres) and exports
its URL. Locally, without it, the PostgreSQL cases skip and say why.
"""
import os

import pytest

PG_ENV = "MLP_TEST_POSTGRES"


def postgres_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL storage tests: {PG_ENV} is not set (see .ci/run)")
        pytest.skip(f"no PostgreSQL: set {PG_ENV} to a throwaway database URL (.ci/postgres starts one)")
    return url


def store_url(backend: str, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'classes.sqlite'}" if backend == "sqlite" else postgres_url()


BACKENDS = ["sqlite", "postgresql"]
