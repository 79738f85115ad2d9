"""The stage in Chromium at a projector's 1280 x 720, a student laptop's 1366 x 768 and 1920 x 1080: the
whole machine in view without scrolling, and the controls on the network and the data pictures work."""
import json
import re

import numpy as np
import pytest
from playwright.sync_api import expect

from mlp.run.config import Config
from mlp.engine.datasets import featurize, grid
from mlp.run.trainer import Trainer
from tests.browser import (cut_labels, on_screen, open_page, point_on_screen, resize, save_screenshot,
                           settle, settle_for_picture, step_counter, wait_for_steps)

NETWORK = ".st-key-chart_network div.mlp-plot"
OUTPUT = ".st-key-chart_boundary div.mlp-plot"
SCREENS = [(1280, 720), (1366, 768), (1920, 1080)]


def test_the_whole_machine_is_in_view_without_scrolling(browser, server):
    """At each of SCREENS, one page resized from the first: before Play and while playing."""
    page = open_page(browser, server, *SCREENS[0])
    try:
        settle(page)
        assert page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true", \
            "the stage starts with the sidebar closed"
        wanted = {
            "Play": page.get_by_role("button", name="Play", exact=True),
            "Step": page.get_by_role("button", name="Step", exact=True),
            "Back": page.get_by_role("button", name="Back", exact=True),
            "Reset": page.get_by_role("button", name="Reset", exact=True),
            "step counter": page.locator('[data-testid="stMetric"]').filter(has_text="Step").first,
            "epoch counter": page.locator('[data-testid="stMetric"]').filter(has_text="Epoch").first,
            "data pictures": page.locator(".mlp-picker"),
            "network": page.locator(NETWORK),
            "output": page.locator(OUTPUT),
            "loss chart": page.locator(".st-key-chart_loss div.mlp-plot"),
            "training loss": page.locator('[data-testid="stMetric"]').filter(has_text="Training loss"),
            "test loss": page.locator('[data-testid="stMetric"]').filter(has_text="Test loss"),
            "learning rate": page.get_by_text("Learning rate", exact=True),
            "activation": page.get_by_text("Activation", exact=True),
        }
        for width, height in SCREENS:
            resize(page, width, height)
            outside = [name for name, locator in wanted.items() if not on_screen(page, locator)]
            assert not outside, f"outside the {width} x {height} screen: {outside}"
            # no label cut to an ellipsis: every button shows its whole text
            assert not cut_labels(page), f"labels cut at {width} px: {cut_labels(page)}"
        page.get_by_role("button", name="Play", exact=True).click()
        page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=10_000)
        for width, height in reversed(SCREENS):          # ends at 1280 x 720, for the picture
            resize(page, width, height)
            assert not cut_labels(page), f"labels cut at {width} px while playing: {cut_labels(page)}"
        settle_for_picture(page, 4000)                   # the README's first picture: the stage, trained a while
        page.get_by_role("button", name="Pause", exact=True).click()
        page.get_by_role("button", name="Play", exact=True).wait_for(timeout=10_000)
        settle(page)
        assert step_counter(page) > 0
        save_screenshot(page, "stage_1280x720.png")
    finally:
        page.close()


@pytest.fixture()
def stage(browser, server):
    page = open_page(browser, server, 1280, 720)
    yield page
    page.close()


def test_a_click_on_a_data_picture_picks_that_data_set_and_the_address_says_so(stage):
    picture = stage.locator(".mlp-set[data-set=xor]")
    assert picture.inner_text().strip() == "Exclusive or"          # the name the data set menu shows
    picture.click()
    stage.wait_for_url(re.compile(r"dataset=xor"), timeout=20_000)
    expect(stage.locator(".mlp-set.mlp-chosen")).to_have_attribute("data-set", "xor", timeout=20_000)


def _click_button(page, click: list) -> None:
    """Click the network view's button (an annotation) whose click is `click`."""
    index = page.evaluate(f"""() => document.querySelector('{NETWORK}')._fullLayout.annotations
        .findIndex((a) => a.name === {json.dumps(json.dumps(click))})""")
    assert index >= 0, click
    page.locator(f'{NETWORK} g.annotation[data-index="{index}"]').click()


def _click_point(page, selector, trace, index):
    point = point_on_screen(page, selector, trace, index)
    page.mouse.click(point["x"], point["y"])
    return point


def test_plus_on_a_layer_widens_it_and_plus_over_the_layers_adds_one(stage):
    _click_button(stage, ["width", 1, 1])
    stage.wait_for_url(re.compile(r"hidden=5(%2C|,)2"), timeout=20_000)       # the default 4, 2 became 5, 2
    settle(stage)
    _click_button(stage, ["width", 1, 1])                                   # the same button again
    stage.wait_for_url(re.compile(r"hidden=6(%2C|,)2"), timeout=20_000)
    settle(stage)
    _click_button(stage, ["layers", 0, 1])
    stage.wait_for_url(re.compile(r"hidden=6(%2C|,)2(%2C|,)2"), timeout=20_000)
    settle(stage)
    _click_button(stage, ["width", 3, -1])
    stage.wait_for_url(re.compile(r"hidden=6(%2C|,)2(%2C|,)1"), timeout=20_000)


def test_a_click_on_a_feature_switches_it_on(stage):
    labels = stage.evaluate("""() => document.querySelector('.st-key-chart_network div.mlp-plot')._fullData
        .find((d) => d.name === 'neuron labels').customdata""")
    squared = labels.index(["feature", 2])                    # X₁², the third feature, off by default
    _click_point(stage, NETWORK, "neuron labels", squared)
    stage.wait_for_url(re.compile(r"features=x1(%2C|,)x2(%2C|,)x1_sq"), timeout=20_000)


def test_hovering_a_neuron_shows_its_output_in_the_output_view(stage):
    """The output view then draws that neuron's output over the plane: the engine's, to the 8-bit
    precision the network view sends it in."""
    labels = stage.evaluate("""() => document.querySelector('.st-key-chart_network div.mlp-plot')._fullData
        .find((d) => d.name === 'neuron labels').customdata""")
    index = labels.index(["neuron", 1, 3])                    # the first hidden layer's third unit
    point = point_on_screen(stage, NETWORK, "neuron labels", index)
    stage.mouse.move(point["x"], point["y"])
    stage.wait_for_function(f"() => document.querySelector('{OUTPUT}').dataset.showing === 'layer 1, unit 3'",
                            timeout=10_000)
    z = np.array(stage.evaluate(f"() => document.querySelector('{OUTPUT}')._fullData[0].z.map((r) => Array.from(r))"),
                 dtype=float)
    g = z.shape[0]
    config = Config()                                          # the page opened on the defaults, at step 0
    net = Trainer(config).net
    inputs = featurize(grid(g)[2], config.features, net.dtype)
    expected = net.layer_outputs(inputs)[0][:, 2].reshape(g, g)
    top = np.abs(net.layer_outputs(inputs)[0]).max()          # the layer's colour scale: +-its largest |value|
    assert z.shape == (g, g) and g >= 10
    np.testing.assert_allclose(z, expected, atol=top / 255 + 1e-6)
    stage.mouse.move(5, 700)
    stage.wait_for_function(f"() => document.querySelector('{OUTPUT}').dataset.showing === ''", timeout=10_000)
    assert stage.evaluate(f"() => document.querySelector('{OUTPUT}')._fullData[0].z.length") == 100


def test_play_and_widen_a_layer_without_scrolling(stage):
    """The issue's newcomer: at 1280 x 720, press Play, then widen a layer, never scrolling."""
    stage.get_by_role("button", name="Play").click()
    assert wait_for_steps(stage, 0) > 0
    _click_button(stage, ["width", 2, 1])
    stage.wait_for_url(re.compile(r"hidden=4(%2C|,)3"), timeout=20_000)
    assert stage.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0


def test_all_settings_opens_the_sidebar_with_the_rest_of_the_settings(stage):
    sidebar = stage.get_by_test_id("stSidebar")
    optimizer = sidebar.get_by_text("Optimizer", exact=True)
    assert sidebar.get_attribute("data-collapsed") == "true"
    stage.get_by_role("button", name="⚙ All settings").click()
    expect(sidebar).to_have_attribute("data-collapsed", "false", timeout=10_000)
    sidebar.get_by_text("Training", exact=True).click()                    # its section opens
    expect(optimizer).to_be_visible(timeout=10_000)


def test_a_click_on_a_bias_square_opens_the_editor_on_that_bias_in_view(stage):
    biases = stage.evaluate(f"() => document.querySelector('{NETWORK}')._fullData"
                            ".find((d) => d.name === 'biases').customdata")
    index = biases.index(["bias", 2, 1])                     # hidden layer 2, unit 1
    _click_point(stage, NETWORK, "biases", index)
    editor = stage.locator("[data-testid=stPopoverBody]").filter(has_text="Value")
    expect(editor.get_by_label("Layer", exact=True)).to_have_value("2", timeout=20_000)
    expect(editor.get_by_label("To unit", exact=True)).to_have_value("1")
    config = Config()
    bias = float(Trainer(config).net.biases[1][0, 0])           # layer 2's first bias at step 0
    assert float(editor.get_by_label("Value", exact=True).input_value()) == pytest.approx(bias, abs=1e-4)
    assert on_screen(stage, editor), "the editor opens on the screen"


def test_the_class_page_cuts_no_label_at_1280(browser, server):
    """The labs are looked at in test_lab_stages_browser.py, at every screen size."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{server}/Class")
        page.get_by_text("Start a class").first.wait_for(timeout=60_000)      # (the page has no chart)
        settle(page)
        assert not cut_labels(page)
    finally:
        page.close()
