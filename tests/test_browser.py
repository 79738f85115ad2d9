"""The Playground in a real browser: load, Play, see it train and the charts change, screenshot for the README."""
import time

import pytest
from playwright.sync_api import expect

from tests.browser import open_page, point_on_screen, save_screenshot, step_counter, wait_until_still


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
    deadline = time.time() + 30            # (a loaded machine: it trains within a second when quiet)
    while step_counter(page) <= 20 or boundary_revision(page) == before:
        assert time.time() < deadline, f"Play trained {step_counter(page)} steps and redrew nothing in 30 s"
        time.sleep(0.3)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1)
    held = step_counter(page)
    time.sleep(3)
    assert step_counter(page) == held
    save_screenshot(page, "playground.png", full_page=True)


NETWORK = ".st-key-chart_network div.mlp-plot"
# the last link whose midpoint (its hover target) no other link shares: two links crossing between
# the same pair of units share one
LONE_LINK = """() => {
  const t = document.querySelector('.st-key-chart_network div.mlp-plot')._fullData.find((d) => d.name === 'weights');
  const n = t.x.length, alone = (i) => [...Array(n).keys()].every(
    (j) => j === i || Math.abs(t.x[j] - t.x[i]) + Math.abs(t.y[j] - t.y[i]) > 0.3);
  return [...Array(n).keys()].reverse().find(alone);
}"""


def test_a_link_names_its_weight_and_a_click_opens_the_editor_on_it(page):
    """The links' ids travel as a typed array (mlp/figures/network_view.py): what the hover shows and
    what a click selects must still be that link's layer and units."""
    page.locator(NETWORK).scroll_into_view_if_needed()
    wait_until_still(page, NETWORK)              # (the last test paused a run: its last frames may still be drawn)
    link = point_on_screen(page, NETWORK, "weights", page.evaluate(LONE_LINK))
    layer, unit_from, unit_to = link["customdata"]
    page.mouse.move(link["x"], link["y"])
    hover = page.locator(".st-key-chart_network .hoverlayer")
    page.wait_for_function("() => document.querySelector('.st-key-chart_network .hoverlayer').textContent.includes('w =')")
    # one numbering everywhere: the hover's layer and units are the editor's (layer 1 = the first weights)
    assert f"layer {layer}, from unit {unit_from}" in hover.text_content()
    assert f"to unit {unit_to}" in hover.text_content()
    page.mouse.click(link["x"], link["y"])
    editor = page.locator("[data-testid=stPopoverBody]").filter(has_text="From unit")
    # the page reruns once to open the editor
    expect(editor.get_by_label("Layer", exact=True)).to_have_value(str(layer), timeout=20_000)
    expect(editor.get_by_label("From unit", exact=True)).to_have_value(str(unit_from))
    expect(editor.get_by_label("To unit", exact=True)).to_have_value(str(unit_to))
    page.keyboard.press("Escape")


# every text of the hover label, and its box, in page pixels
HOVER_BOXES = """() => {
  const label = document.querySelector('.st-key-chart_network .hoverlayer g.hovertext');
  const box = (e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return { box: box(label.querySelector('path')), texts: [...label.querySelectorAll('text')]
           .filter((t) => t.textContent.trim()).map((t) => ({ text: t.textContent, at: box(t) })) };
}"""


def test_a_links_hover_label_holds_all_its_text(page):
    """The hover's "click to edit" ran outside its box."""
    page.locator(NETWORK).scroll_into_view_if_needed()
    link = point_on_screen(page, NETWORK, "weights", page.evaluate(LONE_LINK))
    page.mouse.move(link["x"] + 40, link["y"] + 40)
    page.mouse.move(link["x"], link["y"])
    page.wait_for_function("() => document.querySelector('.st-key-chart_network .hoverlayer').textContent.includes('w =')")
    label = page.evaluate(HOVER_BOXES)
    left, top, right, bottom = label["box"]
    assert "click to edit" in " ".join(t["text"] for t in label["texts"])
    for t in label["texts"]:
        x0, y0, x1, y1 = t["at"]
        assert left - 1 <= x0 and x1 <= right + 1 and top - 1 <= y0 and y1 <= bottom + 1, (t, label["box"])


def test_opening_the_weight_editor_moves_no_chart(page):
    """A click on a link opened the editor above the charts and pushed the network down under the cursor."""
    page.locator(NETWORK).scroll_into_view_if_needed()
    wait_until_still(page, NETWORK)
    link = point_on_screen(page, NETWORK, "weights", 0)          # layer 1, from unit 1 to unit 1
    before = page.locator(NETWORK).bounding_box()
    from_unit = page.get_by_label("From unit", exact=True)
    expect(from_unit).not_to_be_visible()
    page.mouse.click(link["x"], link["y"])
    expect(from_unit).to_be_visible(timeout=20_000)
    expect(page.get_by_label("Layer", exact=True)).to_have_value("1")
    expect(from_unit).to_have_value("1")
    page.wait_for_timeout(1000)                  # the rerun has drawn everything it will
    after = page.locator(NETWORK).bounding_box()
    assert (after["x"], after["y"]) == (before["x"], before["y"])
    save_screenshot(page, "weight_editor.png")
    page.keyboard.press("Escape")


def test_a_chart_missing_the_figure_a_payload_continues_asks_for_a_whole_one_and_goes_on(page):
    """Each payload continues the figure the last one left (mlp/live/payload.py: Held). A chart that lost
    it (a message dropped) cannot read the next one: it asks for a whole figure and plays on."""
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=30_000)
    key = "st-key-chart_boundary"
    page.wait_for_function(f"() => window.__mlpHeld.has('{key}')", timeout=30_000)
    page.evaluate(f"() => window.__mlpHeld.delete('{key}')")
    dropped_at = boundary_revision(page)
    # a payload read from nothing would be drawn as nothing: the chart must move on from where it was
    page.wait_for_function(f"""() => {{
        const div = document.querySelector('.{key} div.mlp-plot');
        return window.__mlpHeld.has('{key}') && div.dataset.revision.split('.')[0] > {dropped_at.split('.')[0]} + 2;
    }}""", timeout=60_000)
    assert page.locator(f".{key} div.mlp-plot .main-svg").count() > 0
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
