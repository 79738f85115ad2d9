"""Issue 23's click-through in Chromium: what only a browser shows (layout, cut labels, the sidebar).

Screenshots (git-ignored, tests/.screenshots/): all_settings_1280x720.png (the Playground with All settings
open) and stage_1920x1080.png (the stage on a 1080p projector)."""
import pytest
from playwright.sync_api import expect

from tests.browser import cut_labels, on_screen, open_page, save_screenshot, settle
from tests.test_stage_browser import NETWORK, OUTPUT

SETTINGS = "button.mlp-open-sidebar"


def _box(page, selector):
    return page.locator(selector).bounding_box()


def test_all_settings_lies_over_the_stage_and_the_same_button_closes_it(browser, server):
    """Item 2: opening the sidebar squeezed the stage (labels cut to "P…", the network's output layer and
    the output plot's right part cut off), and only the hover-only « closed it again."""
    page = open_page(browser, server, 1280, 720)
    try:
        settle(page)
        sidebar = page.get_by_test_id("stSidebar")
        before = {name: _box(page, sel) for name, sel in (("network", NETWORK), ("output", OUTPUT))}
        page.locator(SETTINGS).click()
        expect(sidebar).to_have_attribute("data-collapsed", "false", timeout=10_000)
        page.wait_for_timeout(1500)
        after = {name: _box(page, sel) for name, sel in (("network", NETWORK), ("output", OUTPUT))}
        for name in before:        # the stage keeps its place and size: the sidebar lies over it
            assert after[name]["x"] == pytest.approx(before[name]["x"], abs=2), name
            assert after[name]["width"] == pytest.approx(before[name]["width"], abs=2), name
        assert on_screen(page, page.locator(OUTPUT))
        assert not cut_labels(page), cut_labels(page)
        assert page.locator(SETTINGS).inner_text().strip() == "✕ Close settings"
        save_screenshot(page, "all_settings_1280x720.png")
        page.locator(SETTINGS).click()                       # the same button closes it
        expect(sidebar).to_have_attribute("data-collapsed", "true", timeout=10_000)
        expect(page.locator(SETTINGS)).to_have_text("⚙ All settings")
    finally:
        page.close()


@pytest.mark.parametrize("width,height", [(1000, 720), (1280, 720)])
def test_no_label_is_cut_on_a_narrow_screen_and_a_seven_digit_step_count_fits(browser, server, width, height):
    """Items 2 and 4: at 1000 px the top bar's labels were cut ("P…", "S", "Classific"), and past 100,000
    the step counter read "102,…". A count of 1,234,567 written into the counter must fit its box."""
    page = open_page(browser, server, width, height)
    try:
        settle(page)
        assert not cut_labels(page), cut_labels(page)
        # a menu's value is an <input>, cut without an ellipsis ("Classific")
        cut_menus = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] input')]
            .filter((i) => i.offsetParent && i.scrollWidth > i.clientWidth + 1).map((i) => i.value)""")
        assert not cut_menus, cut_menus
        # the data pictures' names break between words, never inside one ("Exclusiv/e or")
        names = page.locator(".mlp-set span")
        for i in range(names.count()):
            lines = names.nth(i).evaluate("(el) => Math.round(el.getBoundingClientRect().height / "
                                          "parseFloat(getComputedStyle(el).lineHeight))")
            words = len(names.nth(i).inner_text().split())
            assert lines <= words, names.nth(i).inner_text()
        overflow = page.evaluate("""() => {
            const value = [...document.querySelectorAll('.st-key-counters [data-testid=stMetricValue] div')][1];
            value.textContent = '1,234,567';
            return value.scrollWidth - value.clientWidth; }""")
        assert overflow <= 0
    finally:
        page.close()


def test_the_stage_grows_on_a_1080p_screen(browser, server):
    """Item 17: at 1920 x 1080 the stage kept its 720p size with a third of the screen empty. Its charts
    grow with the screen's height, and the machine still fits on one screen."""
    small = open_page(browser, server, 1280, 720)
    try:
        settle(small)
        at_720 = {name: _box(small, sel)["height"] for name, sel in (("network", NETWORK), ("output", OUTPUT))}
    finally:
        small.close()
    page = open_page(browser, server, 1920, 1080)
    try:
        settle(page)
        at_1080 = {name: _box(page, sel)["height"] for name, sel in (("network", NETWORK), ("output", OUTPUT))}
        for name in at_720:
            assert at_1080[name] >= 1.4 * at_720[name], (name, at_720[name], at_1080[name])
        for selector in (NETWORK, OUTPUT, ".st-key-chart_loss div.mlp-plot"):
            assert on_screen(page, page.locator(selector)), selector
        assert not cut_labels(page), cut_labels(page)
        save_screenshot(page, "stage_1920x1080.png")
    finally:
        page.close()


@pytest.mark.parametrize("lab", ["Gradient_flow", "Compare", "Class"])
def test_labs_and_the_class_page_lead_back_to_the_playground(browser, server, lab):
    """Item 11: the labs and the Class page had no header, no Labs menu, no way back but the » chevron;
    the Class page opened with its sidebar expanded (on a projector the wall's cards began below the fold)."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/{lab}")
        main = page.get_by_test_id("stMain")
        back = main.get_by_role("link", name="Playground")
        back.wait_for(timeout=60_000)
        assert on_screen(page, back)
        expect(main.get_by_role("button", name="Labs")).to_be_visible()
        if lab == "Class":
            expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
        back.click()
        # the Playground's stage: its data picker (a lab's own live charts are mlp-plots too)
        page.locator(".mlp-picker").wait_for(timeout=60_000)
        expect(page.locator(".mlp-picker")).to_be_visible()
    finally:
        page.close()


def test_a_deep_nets_feature_labels_are_whole_and_its_biases_leave_the_neurons_visible(browser, server):
    """Item 10: with 7 hidden layers "sin(X₁)" and "sin(X₂)" were clipped at the left edge and the ~20 px
    neurons were a third covered by their bias squares."""
    query = "?hidden=8,8,8,8,8,8,8&features=x1,x2,x1_sq,x2_sq,x1x2,sin_x1,sin_x2"
    page = open_page(browser, server + "/" + query, 1280, 720)
    try:
        settle(page)
        plot = _box(page, NETWORK)
        labels = page.locator(f"{NETWORK} g.annotation").filter(has_text="sin(")
        assert labels.count() == 2
        for i in range(2):
            box = labels.nth(i).bounding_box()
            assert box["x"] >= plot["x"] - 0.5, (box, plot)
        # each bias square covers at most a quarter of itself's area of its neuron: its centre lies outside
        covered = page.evaluate(f"""() => {{
            const gd = document.querySelector('{NETWORK}'), xa = gd._fullLayout.xaxis;
            const biases = gd._fullData.find((d) => d.name === 'biases');
            const cell = Math.abs(xa.d2p(1) - xa.d2p(0)), side = biases.marker.size;
            return {{ cell, side }}; }}""")
        assert covered["side"] / 2 <= 0.5 * covered["cell"]
        save_screenshot(page, "deep_net_1280x720.png")
    finally:
        page.close()
