"""A closed tab's session is released once its disconnectedSessionTTL has passed.

Its own server, with a TTL of 1 s (the real one, in .streamlit/config.toml, is a minute), counts the
Trainers it holds (tests/counting_server.py): one per session, and the Trainer holds what a session
weighs (data, net, history, checkpoints). Server RSS is a poor signal here: Python seldom hands freed
memory back, and a default session weighs little next to the server itself.

Streamlit drops expired sessions when it stores the next closed one, so: close a round of tabs (all
kept, within the TTL), wait past the TTL, close a second round; the first round's sessions must be
gone. With a TTL of an hour this test fails (2 Trainers live after round 2, not 1).
"""
import time
from pathlib import Path

import pytest

from tests.browser import require_chromium, start_streamlit

TTL_S = 1
TABS = 1


@pytest.fixture
def counting_server(tmp_path):
    require_chromium()
    count_file = tmp_path / "trainers"
    proc, url = start_streamlit("app.py", "--server.disconnectedSessionTTL", str(TTL_S),
                                launcher=("-m", "tests.counting_server", str(count_file)))
    yield url, count_file
    proc.terminate()
    proc.wait(timeout=10)


def live_trainers(count_file: Path, until, timeout: float = 8.0) -> int:
    """The server's count of live Trainers, once until(count) holds or the timeout passes."""
    deadline = time.time() + timeout
    while True:
        count = int(count_file.read_text()) if count_file.exists() else -1
        if until(count) or time.time() > deadline:
            return count
        time.sleep(0.3)


def open_tabs(browser, url: str, n: int) -> list:
    contexts = []
    for _ in range(n):
        context = browser.new_context(viewport={"width": 600, "height": 400})
        page = context.new_page()
        page.goto(url, wait_until="commit")
        page.get_by_role("button", name="Play").wait_for(timeout=120_000)   # its first run is done
        contexts.append(context)
    return contexts


def test_a_closed_tabs_session_is_released_after_the_ttl(counting_server, browser):
    url, count_file = counting_server
    first = open_tabs(browser, url, TABS)
    assert live_trainers(count_file, lambda n: n >= TABS) >= TABS          # the count sees sessions
    for context in first:
        context.close()
    time.sleep(TTL_S + 1)
    second = open_tabs(browser, url, TABS)
    for context in second:
        context.close()                        # storing these drops the expired first round
    held = live_trainers(count_file, lambda n: 0 <= n <= TABS)
    assert held <= TABS, f"{held} Trainers still live: the first round's closed sessions were kept"
