"""Editing points in a real browser: turn on Edit points, click the plane to add one, click a point to remove it."""
import re

import pytest

from tests.browser import open_page, point_on_screen

COUNT = re.compile(r"(\d+) points \(")
BOUNDARY = ".st-key-chart_boundary div.mlp-plot"


@pytest.fixture(scope="module")
def page(server, browser):
    page = open_page(browser, server)
    yield page
    page.close()


def point_count(page) -> int:
    return int(COUNT.search(page.get_by_text(COUNT).inner_text()).group(1))


def wait_for_count(page, n: int) -> None:
    page.get_by_text(re.compile(rf"^{n} points \(")).wait_for(timeout=20_000)


def test_clicks_add_and_remove_points(page):
    page.get_by_text("Edit points").click()
    page.get_by_text(COUNT).wait_for(timeout=20_000)
    assert point_count(page) == 500
    plane = page.locator(f"{BOUNDARY} .nsewdrag").first.bounding_box()
    # the top-left corner of the plane: the circle set has no point there
    page.mouse.click(plane["x"] + 0.04 * plane["width"], plane["y"] + 0.04 * plane["height"])
    wait_for_count(page, 501)
    assert "dataset=user" in page.url
    # The page reruns after an edit and may still be settling (layout, the chart's redraw) on a busy
    # machine: aim again at the point as it is drawn now if the first click found nothing.
    for attempt in range(3):
        point = point_on_screen(page, BOUNDARY, "train", 0)
        page.mouse.click(point["x"], point["y"])
        try:
            wait_for_count(page, 500)
            break
        except Exception:
            if attempt == 2:
                raise
