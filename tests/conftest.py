"""Fixtures shared by the browser tests: one Streamlit server and one Chromium for the whole run.

`--refresh-screenshots` makes the browser tests save their screenshots over the README's pictures
(tests/screenshots/) instead of the git-ignored tests/.screenshots/ an ordinary run writes to.
"""
import pytest

from tests import browser as browser_helpers
from tests.browser import CHROMIUM, CHROMIUM_FLAGS, require_chromium, start_streamlit


def pytest_addoption(parser):
    parser.addoption("--refresh-screenshots", action="store_true",
                     help="browser tests save their screenshots over the README's pictures in tests/screenshots/")


def pytest_configure(config):
    if config.getoption("refresh_screenshots"):
        browser_helpers.SCREENSHOTS = browser_helpers.README_PICTURES


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
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
