"""What the Class page's tests share: the page opened through AppTest on a link, its text, and a class
wall store in a fresh SQLite file that the page opens too (MLP_STORE)."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from mlp.classroom.store import Store

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60
PAGE = str(ROOT / "pages" / "5_Class.py")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("MLP_STORE", url)
    return Store(url)


def page(**query) -> AppTest:
    """The Class page, run once on a link with these query parameters."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def texts(at) -> str:
    return "\n".join(t.value for t in at.text)
