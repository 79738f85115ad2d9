"""The Backprop and Compare pages in a real browser: they draw, a preset click works, Play trains both
sides; screenshots for the README (lab_backprop.png, lab_compare.png: tests.browser.save_screenshot)."""
import time

from tests.browser import open_page, save_screenshot


def metric(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_backprop_page_shows_the_equations_and_breaks_the_check(server, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 2000})
    page.goto(server + "/Backprop_step_by_step")
    page.wait_for_selector(".katex", state="attached", timeout=90_000)      # the equations: a tab away
    page.wait_for_selector("div.mlp-plot .main-svg", timeout=60_000)
    page.get_by_role("button", name="ReLU 2-4-4-2").click()
    page.get_by_text("The network 2-4-4-2").wait_for(timeout=20_000)
    page.get_by_role("tab", name="Gradient check").click()          # the check, one tab away
    assert page.locator(".katex").count() > 20
    page.get_by_text("Break the derivative").click()
    page.get_by_text("The check fails in layers 1, 2").wait_for(timeout=20_000)
    # the entry-by-entry gradients fit the page: no equation runs past its box into a scrollbar. KaTeX's
    # display box scrolls 2 px more than it shows on every equation of the page (measured), so beyond that
    page.get_by_text("The gradients entry by entry").click()
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="The gradients entry by entry")
    expander.locator(".katex").first.wait_for(timeout=20_000)
    time.sleep(0.5)
    overflowing = expander.locator(".katex-display").evaluate_all(
        "els => els.map(e => [e.scrollWidth - e.clientWidth, e.textContent.slice(0, 8)]).filter(([extra]) => extra > 2)")
    assert overflowing == [], overflowing
    page.get_by_text("The gradients entry by entry").click()
    page.set_viewport_size({"width": 1280, "height": 720})          # the README's picture: the first screen
    page.get_by_role("tab", name="The network").click()
    time.sleep(1)
    save_screenshot(page, "lab_backprop.png")
    page.close()


def test_compare_page_trains_both_sides_in_step(server, browser):
    page = open_page(browser, server + "/Compare", 1280, 720)
    assert page.locator("div.mlp-plot .main-svg").count() >= 4
    page.get_by_role("button", name="sigmoid vs ReLU").click()
    page.get_by_role("button", name="Play").click()
    time.sleep(3)
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=10_000)
    time.sleep(1)
    a, b = int(metric(page, "A step").replace(",", "")), int(metric(page, "B step").replace(",", ""))
    assert a == b > 20
    page.mouse.move(0, 0)              # no tooltip over the picture
    time.sleep(0.5)
    save_screenshot(page, "lab_compare.png")
    page.close()
