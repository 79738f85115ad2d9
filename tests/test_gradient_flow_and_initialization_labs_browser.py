"""The Gradient flow and Initialization labs in a real browser: each draws its charts, a preset
click redraws them, and a screenshot of each is kept (lab_*.png: tests.browser.save_screenshot), at a
projector's 1280 x 720: each lab is one screen (tests/test_lab_stages_browser.py checks it)."""
import re

from tests.browser import save_screenshot, settle

PLOT = "div.mlp-plot .main-svg"


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(url)
    page.wait_for_selector(PLOT, timeout=90_000)
    return page


def test_gradient_flow_draws_its_charts_and_an_exploding_preset_click_redraws_them_with_its_verdict(server, browser):
    page = open_page(browser, server + "/Gradient_flow")
    assert page.locator(PLOT).count() >= 2
    page.get_by_role("button", name="Exploding: ReLU").click()
    page.get_by_text("one step of SGD throws the first layers far away").wait_for(timeout=30_000)
    page.get_by_text("Each layer multiplies it by").wait_for(timeout=10_000)
    page.mouse.move(5, 5)                  # no tooltip over the page
    settle(page)                           # the charts have taken the new figures
    assert page.locator(PLOT).count() >= 2
    save_screenshot(page, "lab_gradient_flow.png")
    page.close()


def test_initialization_trains_a_preset_and_the_symmetry_run_in_the_browser(server, browser):
    page = open_page(browser, server + "/Initialization")
    page.get_by_role("button", name="ReLU: Xavier vs He").click()
    page.wait_for_url(re.compile(r"preset=relu"), timeout=30_000)
    page.mouse.move(5, 5)                  # the preset's hover help off the bar below it
    page.locator(".st-key-init_train button").first.click()
    page.get_by_text("Step 200.").wait_for(timeout=30_000)
    page.mouse.move(5, 5)
    settle(page)
    assert page.locator(PLOT).count() >= 2
    save_screenshot(page, "lab_initialization.png")
    page.get_by_role("tab", name="Symmetry").click()             # the symmetry demo, one tab away
    page.locator(".st-key-init_sym_train button").first.click()
    page.get_by_text("step 200, training loss").wait_for(timeout=30_000)
    page.close()
