"""The labs as stages, in Chromium at a projector's 1280 x 720, a student laptop's 1366 x 768 and 1920 x 1080:
each lab's presets, Play / Step / Back / Reset, its verdict and its two main charts lie wholly inside the
screen without scrolling, no select box cuts its value, and Play redraws both main charts."""
import pytest

from mlp.lab import gradient_flow as flow
from mlp.lab import initialization as init_lab
from tests.browser import open_page, save_screenshot
from tests.test_stage_browser import CUT_LABELS, SCREENS

# page -> (its presets' keys, its two main charts' keys)
LABS = {
    "Gradient_flow": ([f"flow_preset_{name}" for name in flow.PRESETS], ("flow_by_layer", "flow_heatmap")),
    "Initialization": ([f"init_preset_{name}" for name in init_lab.PRESETS], ("init_spread", "init_loss")),
}

# Every select box whose shown value is wider than its box (the box cuts it: "Standard norr…").
CUT_SELECTS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] input')]
  .filter((el) => el.offsetParent && el.scrollWidth > el.clientWidth + 1).map((el) => el.value)"""

def _inside(page, locator) -> bool:
    """Is the element wholly on the screen, as it is, without scrolling?"""
    box, view = locator.bounding_box(), page.viewport_size
    return (box is not None and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= view["width"]
            and box["y"] + box["height"] <= view["height"])


def _cut_labels(page) -> list[str]:
    return page.evaluate(CUT_LABELS)


REVISIONS = "(keys) => keys.map((k) => document.querySelector(`.st-key-${k} div.mlp-plot`).dataset.revision)"


@pytest.mark.parametrize("width,height", SCREENS)
@pytest.mark.parametrize("lab", list(LABS))
def test_a_lab_is_one_screen_and_play_redraws_its_main_charts(browser, server, lab, width, height):
    presets, charts = LABS[lab]
    page = open_page(browser, f"{server}/{lab}", width, height)
    try:
        page.wait_for_timeout(1500)
        main = page.get_by_test_id("stMain")
        wanted = {
            **{key: page.locator(f".st-key-{key} button").first for key in presets},
            **{name: main.get_by_role("button", name=name, exact=True) for name in ("Play", "Step", "Back", "Reset")},
            "verdict": main.get_by_test_id("stAlert").first,
            "What am I looking at?": main.get_by_role("button", name="What am I looking at?"),
            **{key: page.locator(f".st-key-{key} div.mlp-plot") for key in charts},
        }
        outside = [name for name, locator in wanted.items() if not _inside(page, locator)]
        assert not outside, f"outside the {width} x {height} screen: {outside}"
        assert not _cut_labels(page), f"labels cut at {width} px: {_cut_labels(page)}"
        assert not page.evaluate(CUT_SELECTS), f"select boxes cut at {width} px: {page.evaluate(CUT_SELECTS)}"

        before = page.evaluate(REVISIONS, list(charts))
        main.get_by_role("button", name="Play", exact=True).click()
        main.get_by_role("button", name="Pause", exact=True).wait_for(timeout=10_000)
        page.wait_for_timeout(4000)
        after = page.evaluate(REVISIONS, list(charts))
        unchanged = [key for key, b, a in zip(charts, before, after) if a == b]
        assert not unchanged, f"not redrawn while playing: {unchanged}"
        # still one screen while it trains (a verdict that grows must not push the charts out)
        outside = [key for key in charts if not _inside(page, page.locator(f".st-key-{key} div.mlp-plot"))]
        assert not outside, f"outside the {width} x {height} screen while playing: {outside}"
        main.get_by_role("button", name="Pause", exact=True).click()
        main.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
        if width in (1280, 1920):
            page.mouse.move(2, 2)
            page.wait_for_timeout(1000)
            save_screenshot(page, f"lab_{lab.lower()}_{width}x{height}.png")
    finally:
        page.close()
