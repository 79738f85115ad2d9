"""The labs as stages, in Chromium at a projector's 1280 x 720, a student laptop's 1366 x 768 and 1920 x 1080:
each lab's presets, Play / Step / Back / Reset, its verdict and its two main charts lie wholly inside the
screen without scrolling, no select box cuts its value, and Play redraws both main charts. Backprop step by
step, which trains nothing, shows one example's numbers on the network beside its batch, likewise."""
import pytest

from mlp.lab import backprop, compare
from mlp.run.config import FIELD
from mlp.lab import gradient_flow as flow
from mlp.lab import initialization as init_lab
from mlp.ui.initialization_page import button_label
from tests.browser import cut_labels, on_screen, open_page, resize, save_screenshot, settle, settle_for_picture
from tests.test_stage_browser import SCREENS

# page -> (its presets' button labels, its two main charts' keys, whether it plays, whether it has a verdict box)
LABS = {
    "Gradient_flow": ([p.label for p in flow.PRESETS.values()], ("flow_by_layer", "flow_heatmap"), True, True),
    "Initialization": ([button_label(p) for p in init_lab.PRESETS.values()], ("init_spread", "init_loss"), True,
                       True),
    "Compare": (list(compare.PRESETS), ("cmp_boundary_A", "cmp_boundary_B"), True, False),
    "Backprop_step_by_step": (list(backprop.PRESETS), ("bp_step_network", "bp_batch_chart"), False, False),
}

# Every select box whose shown value is wider than its box (the box cuts it: "Standard norr…").
CUT_SELECTS = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] input')]
  .filter((el) => el.offsetParent && el.scrollWidth > el.clientWidth + 1).map((el) => el.value)"""


REVISIONS = "(keys) => keys.map((k) => document.querySelector(`.st-key-${k} div.mlp-plot`).dataset.revision)"


def _outside(page, wanted: dict) -> list[str]:
    return [name for name, locator in wanted.items() if not on_screen(page, locator)]


def _fits(page, wanted: dict, when: str = "") -> None:
    """At the page's screen size: everything wanted wholly on the screen, no label and no select box cut."""
    view = page.viewport_size
    size = f"{view['width']} x {view['height']}{when}"
    assert not _outside(page, wanted), f"outside the {size} screen: {_outside(page, wanted)}"
    assert not cut_labels(page), f"labels cut at {size}: {cut_labels(page)}"
    assert not page.evaluate(CUT_SELECTS), f"select boxes cut at {size}: {page.evaluate(CUT_SELECTS)}"


@pytest.mark.parametrize("lab", list(LABS))
def test_a_lab_is_one_screen_and_play_redraws_its_main_charts(browser, server, lab):
    """One page per lab, opened at 1280 x 720 and resized to the other two screens (a page per screen
    cost the suite a page load and a play each, and showed nothing more)."""
    presets, charts, plays, verdict = LABS[lab]
    (width, height), others = SCREENS[0], SCREENS[1:]
    page = open_page(browser, f"{server}/{lab}", width, height)
    try:
        settle(page)
        main = page.get_by_test_id("stMain")
        wanted = {
            **{label: main.get_by_role("button", name=label, exact=True) for label in presets},
            **{name: main.get_by_role("button", name=name, exact=True)
               for name in (("Play", "Step", "Back", "Reset") if plays else ())},
            **({"verdict": main.get_by_test_id("stAlert").first} if verdict else {}),
            "What am I looking at?": main.get_by_role("button", name="What am I looking at?"),
            **{key: page.locator(f".st-key-{key} div.mlp-plot") for key in charts},
        }
        _fits(page, wanted)
        if plays:
            before = page.evaluate(REVISIONS, list(charts))
            main.get_by_role("button", name="Play", exact=True).click()
            main.get_by_role("button", name="Pause", exact=True).wait_for(timeout=10_000)
            # both main charts redrawn, then a few seconds of training at every screen size: a verdict
            # that grows while it trains must not push the charts out
            page.wait_for_function(f"(before) => ({REVISIONS})({list(charts)!r}).every((r, i) => r !== before[i])",
                                   arg=before, timeout=30_000)
            charts_only = {key: wanted[key] for key in charts}
            for size in others + [SCREENS[0]]:
                resize(page, *size)
                _fits(page, charts_only, " while playing")
            main.get_by_role("button", name="Pause", exact=True).click()
            main.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
        for size in [SCREENS[0]] + others:
            resize(page, *size)
            _fits(page, wanted)
            if size[0] in (1280, 1920):
                page.mouse.move(2, 2)
                settle_for_picture(page, 1000)
                save_screenshot(page, f"lab_{lab.lower()}_{size[0]}x{size[1]}.png")
    finally:
        page.close()


def _longest(field: str) -> str:
    """The choice of a select box whose label is longest."""
    choices = FIELD[field].choices()
    return max(choices, key=lambda k: len(choices[k]))


@pytest.mark.parametrize("lab", ["Gradient_flow", "Initialization"])
def test_the_longest_values_fit_their_select_boxes_at_1280(browser, server, lab):
    """'Standard norr…' was cut at 1280 wide: every select box shows the longest value it can hold."""
    query = f"init={_longest('init')}&activation={_longest('activation')}"
    page = open_page(browser, f"{server}/{lab}?{query}", 1280, 720)
    try:
        settle(page)
        shown = page.evaluate("() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stSelectbox] "
                              "input')].map((el) => el.value)")
        labels = {FIELD["activation"].choices()[_longest("activation")]}
        if lab == "Gradient_flow":
            labels.add(FIELD["init"].choices()[_longest("init")])
        assert labels <= set(shown), f"the link's values are not shown: {shown}"
        assert not page.evaluate(CUT_SELECTS), f"select boxes cut: {page.evaluate(CUT_SELECTS)}"
    finally:
        page.close()
