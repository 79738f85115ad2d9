"""Fixtures shared by the browser tests: one Streamlit server and one Chromium for the whole run."""
import pytest

from tests.browser import CHROMIUM, CHROMIUM_FLAGS, require_chromium, start_streamlit


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
