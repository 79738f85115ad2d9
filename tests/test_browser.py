"""The Playground in a real browser: load, Play, see it train and the charts change, screenshot for the README."""
import time

import pytest

from tests.browser import SCREENSHOTS, open_page, step_counter


@pytest.fixture(scope="module")
def page(server, browser):
    page = open_page(browser, server)
    yield page
    page.close()


def boundary_revision(page) -> str:
    return page.locator('.st-key-chart_boundary div.mlp-plot').get_attribute("data-revision")


def test_play_trains_and_pause_holds(page):
    assert step_counter(page) == 0
    charts = page.locator("div.mlp-plot .main-svg")
    assert charts.count() >= 5
    before = boundary_revision(page)
    page.get_by_role("button", name="Play").click()
    time.sleep(6)
    assert step_counter(page) > 20
    assert boundary_revision(page) != before
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1)
    held = step_counter(page)
    time.sleep(3)
    assert step_counter(page) == held
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "playground.png"), full_page=True)
