"""The Gradient flow and Initialization labs in a real browser: each draws its charts, a preset
click redraws them, and a screenshot of each is kept (lab_*.png: tests.browser.save_screenshot)."""

from tests.browser import save_screenshot

PLOT = "div.mlp-plot .main-svg"


def open_page(browser, url: str, height: int):
    # tall: Streamlit scrolls inside its own container, so a screenshot shows only the viewport
    page = browser.new_page(viewport={"width": 1400, "height": height})
    page.goto(url)
    page.wait_for_selector(PLOT, timeout=90_000)
    return page


def test_gradient_flow_draws_its_charts_and_an_exploding_preset_click_redraws_them_with_its_verdict(server, browser):
    page = open_page(browser, server + "/Gradient_flow", 2800)
    assert page.locator(PLOT).count() >= 5
    page.get_by_role("button", name="Exploding: ReLU").click()
    page.get_by_text("one step of SGD throws the first layers far away").wait_for(timeout=30_000)
    page.get_by_text("Each layer multiplies it by").wait_for(timeout=10_000)
    page.mouse.move(5, 5)                  # no tooltip over the page
    page.wait_for_timeout(1500)            # let the charts take the new figures
    assert page.locator(PLOT).count() >= 7
    save_screenshot(page, "lab_gradient_flow.png")
    page.close()


def test_initialization_trains_a_preset_and_the_symmetry_run_in_the_browser(server, browser):
    page = open_page(browser, server + "/Initialization", 3300)
    page.get_by_role("button", name="ReLU, 6 layers: Xavier vs He").click()
    page.get_by_text("ReLU switches off half of the units").wait_for(timeout=30_000)
    page.locator(".st-key-init_train button").first.click()
    page.get_by_text("Step 200.").wait_for(timeout=30_000)
    page.locator(".st-key-init_sym_train button").first.click()
    page.get_by_text("step 200, training loss").wait_for(timeout=30_000)
    page.mouse.move(5, 5)
    page.wait_for_timeout(1500)
    assert page.locator(PLOT).count() >= 6
    save_screenshot(page, "lab_initialization.png")
    page.close()
