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



# the boundary chart's data coordinates of a page pixel, and its "train" trace's points
PLANE_JS = """
  const gd = document.querySelector('.st-key-chart_boundary div.mlp-plot'), xa = gd._fullLayout.xaxis,
        ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();"""
TO_PLANE = "([x, y]) => {" + PLANE_JS + """
  return [xa.p2d(x - box.left - xa._offset), ya.p2d(y - box.top - ya._offset)]; }"""
TRAIN_POINTS = "() => {" + PLANE_JS + """
  const t = gd._fullData.find((d) => d.name === 'train');
  return Array.from(t.x, (x, i) => [x, t.y[i]]); }"""


def settled_plane(page) -> dict:
    """The plane's box once the page has stopped moving: after an edit's rerun the page settles for a
    while on a busy machine, and a click then lands elsewhere than aimed, or is lost."""
    state = "() => [document.querySelector('.st-key-chart_boundary div.mlp-plot').dataset.revision, " \
            "JSON.stringify(document.querySelector('.st-key-chart_boundary .nsewdrag').getBoundingClientRect())]"
    seen = [page.evaluate(state)]
    while len(seen) < 4 or len({str(v) for v in seen[-4:]}) > 1:
        page.wait_for_timeout(250)
        seen.append(page.evaluate(state))
        assert len(seen) < 200, "the page never settled"
    return page.locator(f"{BOUNDARY} .nsewdrag").first.bounding_box()


@pytest.fixture(params=[(1280, 720), (1920, 1080)], ids=["1280x720", "1920x1080"])
def screen(request, server, browser):
    """A fresh page at a projector's and at a large screen's size."""
    page = open_page(browser, server, *request.param)
    yield page
    page.close()


def test_every_clicked_point_is_drawn_where_it_was_clicked(screen):
    """Most clicked points landed in the test split, which is hidden by default: four clicks in five showed
    nothing. Near the corners of the plane, where the circle set has no points."""
    page = screen
    if not page.get_by_text(COUNT).is_visible():
        page.get_by_text("Edit points").click()
    page.get_by_text(COUNT).wait_for(timeout=20_000)
    for fx, fy in ((0.96, 0.04), (0.96, 0.96), (0.04, 0.96), (0.88, 0.12), (0.12, 0.88)):
        n = point_count(page)
        plane = settled_plane(page)
        x, y = plane["x"] + fx * plane["width"], plane["y"] + fy * plane["height"]
        a, b = page.evaluate(TO_PLANE, [x, y])
        # the points are drawn to a fraction of a pixel: 0.15 plane units is a few pixels
        near = f"() => ({TRAIN_POINTS})().some(([x, y]) => Math.hypot(x - {a}, y - {b}) < 0.15)"
        assert not page.evaluate(near)
        # as above: after the last edit's rerun the page may still be settling, and a click then is lost
        for attempt in range(3):
            page.mouse.click(x, y)
            try:
                wait_for_count(page, n + 1)
                break
            except Exception:
                if attempt == 2:
                    raise
        try:
            page.wait_for_function(near, timeout=20_000)
        except Exception:
            pts = page.evaluate(TRAIN_POINTS)
            nearest = min(pts, key=lambda q: (q[0] - a) ** 2 + (q[1] - b) ** 2)
            raise AssertionError(f"no training point drawn near the click at ({a:.2f}, {b:.2f}) (click {fx}, {fy}); "
                                 f"the nearest is at {nearest}, of {len(pts)}, the last {pts[-3:]}; count {point_count(page)}")
