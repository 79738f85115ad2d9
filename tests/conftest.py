"""Fixtures shared by the browser tests (one Streamlit server and one Chromium for the whole run, or per
worker on two; the tests' tabs share one context and renderer process: tests/browser.py, TabsBrowser), and
the two tiers.

The fast tier, `python -m pytest tests -m "not slow"`, is everything that needs no browser, no server
process, no nginx and no PostgreSQL: the engine, the figures, the pages through AppTest, the CLI in
process. A test is slow when it uses Chromium or a server (the `browser`, `server`, `room`, ...
fixtures), when its module starts processes (SLOW_MODULES), when it runs on PostgreSQL, or when it says
so itself (`@pytest.mark.slow`). The full suite, `python -m pytest tests -n 2 --dist loadfile`, runs both
tiers, each module's tests together on one of two workers (pytest-xdist). The tests that stop or freeze
PostgreSQL do it to a cluster of their own (tests/store_backends.py), never to the one the other
PostgreSQL tests share.

`--refresh-screenshots` makes the browser tests save their screenshots over the README's pictures
(tests/screenshots/) instead of the git-ignored tests/.screenshots/ an ordinary run writes to.
"""
import fcntl
import functools

import pytest
import sqlalchemy as sa
import streamlit.components.v2.manifest_scanner as component_scanner

from mlp.classroom.store import Store
from tests import browser as browser_helpers
from tests.store_backends import BACKENDS, store_url
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, TABS_FLAGS, TabsBrowser, require_chromium, start_streamlit


# Each new AppTest (Streamlit 1.67) scans the metadata of every installed package for custom components:
# 0.25 s of the 0.4 s a Playground page run takes, paid by each of the suite's page runs. The packages do
# not change during a test run, so the scan is done once (tests/test_streamlit_seams.py: the canary).
component_scanner.scan_component_manifests = functools.cache(component_scanner.scan_component_manifests)


def pytest_addoption(parser):
    parser.addoption("--refresh-screenshots", action="store_true",
                     help="browser tests save their screenshots over the README's pictures in tests/screenshots/")


# fixtures that start a browser, a server or a database
SLOW_FIXTURES = {"browser", "server", "room", "counting_server", "students", "stage", "screen", "store_env", "pg"}
# modules whose tests start processes of their own (streamlit, nginx, node, the CLI as a subprocess)
SLOW_MODULES = {"test_serve", "test_session_ttl", "test_isolation", "test_protocol_client", "test_payload_js",
                "test_readme", "test_cli", "test_exports", "test_lesson_playing",
                # faults made for real (locks held, permissions taken, clusters stopped), with their waits
                "test_store_faults", "test_class_wall_faults",
                # every page run with every crafted value: the parsers' own fuzzing stays in the fast tier
                "test_fuzz_weights", "test_link_markup"}


# The modules that take longest (waits for pages, servers and students, more than CPU) go first, so that
# on two workers (the README's `-n 2 --dist loadfile`) they start at once instead of ending the run alone,
# and the run ends with short modules that fill both workers. The heaviest on the CPU (HEAVY) alternate
# with long modules that are light on it, so that each worker starts on one of each.
LONGEST_FIRST = ["test_class_wall_browser", "test_fuzz_links", "test_isolation", "test_lab_stages_browser",
                 "test_lesson_browser", "test_click_through_browser", "test_stage_browser", "test_session_ttl",
                 "test_browser", "test_classroom_browser"]

# Modules that keep several pages playing at once (students, a room of them, the heaviest net a link
# allows). Two of them side by side held both cores of a CI machine for minutes, and a light browser
# test beside them waited past its deadline for a page; they take turns (heavy_turn).
HEAVY = {"test_class_wall_browser", "test_isolation", "test_lesson_browser"}


def _module(item) -> str:
    return item.module.__name__.rpartition(".")[2]


def pytest_collection_modifyitems(config, items):
    # stable: each module's tests stay together and in their order
    items.sort(key=lambda item: LONGEST_FIRST.index(_module(item)) if _module(item) in LONGEST_FIRST
               else len(LONGEST_FIRST))
    for item in items:
        module = _module(item)
        if (SLOW_FIXTURES & set(item.fixturenames) or module in SLOW_MODULES or module.endswith("_browser")
                or "postgres" in item.name.lower()):            # its name or its parameters say PostgreSQL
            item.add_marker(pytest.mark.slow)


def pytest_configure(config):
    # pytest-xdist hands out the modules with the most tests first unless told not to; this file's
    # order (LONGEST_FIRST) is the one wanted: its browser modules have few tests, and take longest
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False
    config.addinivalue_line("markers", "slow: needs a browser, a server process or PostgreSQL; the fast tier "
                                       "(-m 'not slow') leaves it out")
    if config.getoption("refresh_screenshots"):
        browser_helpers.SCREENSHOTS = browser_helpers.README_PICTURES


@pytest.fixture(scope="module", autouse=True)
def heavy_turn(request, tmp_path_factory):
    """A HEAVY module runs only while no other one does: one lock file shared by the workers."""
    if _module(request) not in HEAVY:
        yield
        return
    # under xdist each worker's base temp is a folder of the run's own one, which they share
    shared = tmp_path_factory.getbasetemp()
    shared = shared.parent if shared.name.startswith("popen-gw") else shared
    with open(shared / "heavy.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def server():
    require_chromium()
    proc, url = start_streamlit()
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + TABS_FLAGS)
        yield TabsBrowser(browser, server + "/_stcore/health")
        browser.close()


@pytest.fixture
def store_env(tmp_path, monkeypatch):
    """Servers started from here (they inherit the environment) share one SQLite file under tmp_path."""
    monkeypatch.setenv("MLP_STORE", f"sqlite:///{tmp_path / 'classes.sqlite'}")
    return tmp_path


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path):
    """A store URL on each database the store is tested on (tests/store_backends.py)."""
    return store_url(request.param, tmp_path)


@pytest.fixture
def store(url):
    """A Store on `url`, its database reached once (a failure names it, rather than each test failing)."""
    s = Store(url)
    try:
        with s.engine.connect():
            pass
    except sa.exc.OperationalError as err:
        pytest.fail(f"the store's database {url} cannot be reached: {err}")
    return s
